import { listSubmissions } from '@ganmod/db/client';
import {
  imageTypeOf,
  maxCaptionBytes,
  maxExternalIdBytes,
  type InputLimits,
} from '@ganmod/moderation/contract';
import type { z } from 'zod';
import { multipartBoundary, readMultipart } from '~/server/moderation/multipart';
import { otherMethods, platformRoute, problem } from '~/server/moderation/platform-api';
import {
  configuredInputLimits,
  firstIssue,
  submissionFormSchema,
  type submittedItemSchema,
} from '~/server/moderation/platform-schemas';
import { parseSubmissionListQuery } from '~/server/moderation/submission-list-query';
import { submitItemGrouped } from '~/server/moderation/submissions';

export const dynamic = 'force-dynamic';

/** Each field other than image, externalId and caption (a platform may send a few small extras). */
const OTHER_FIELD_BYTES = 16 * 1024;
/** Most parts in one submission: the three fields and a few extras. */
const MAX_PARTS = 16;

/** Why a field is too large for the multipart reader to go on, naming the field and its limit. */
function tooLarge(field: string, limits: InputLimits): Response {
  switch (field) {
    case 'image':
      return problem(
        413,
        `Field \`image\` is too large: images are limited to ${limits.maxImageBytes} bytes.`,
      );
    case 'caption':
      return problem(
        413,
        `Field \`caption\` is too large: more than ${maxCaptionBytes(limits)} bytes; captions are limited to ${limits.maxCaptionLength} characters.`,
      );
    case 'externalId':
      return problem(
        413,
        `Field \`externalId\` is too large: more than ${maxExternalIdBytes(limits)} bytes; ids are limited to ${limits.maxExternalIdLength} characters.`,
      );
    default:
      return problem(
        413,
        `Field \`${field.slice(0, 100)}\` is too large: fields other than image, externalId and caption are limited to ${OTHER_FIELD_BYTES} bytes each.`,
      );
  }
}

/**
 * `POST /api/v1/submissions`: a platform submits an image with its caption and its own id.
 * Multipart fields: `image` (file), `externalId`, `caption` (optional), parsed with
 * `submissionFormSchema` (the OpenAPI document's own). `externalId` is unique per API key: 201
 * created, 200 this key already submitted it with the same image and caption (the same item
 * back), 409 this key already submitted it with other content, 400 bad fields, 401 bad key,
 * 413 too large, 415 not a PNG/JPEG/GIF/WebP, 429 over the key's rate limit.
 */
export const POST = platformRoute(async (req, { key, db, timer }) => {
  const limits = configuredInputLimits();
  const boundary = multipartBoundary(req.headers.get('content-type'));
  if (!boundary)
    return problem(400, 'Send multipart/form-data with fields image, externalId and caption.');
  // Each field has its own byte limit, so the body can be at most image + caption + id + a few
  // KB, and reading stops at the first field over its limit, which the 413 names.
  const fieldBytes = new Map([
    ['image', limits.maxImageBytes],
    ['caption', maxCaptionBytes(limits)],
    ['externalId', maxExternalIdBytes(limits)],
  ]);
  const form = await readMultipart(req.body, boundary, {
    fieldBytes: (name) => fieldBytes.get(name) ?? OTHER_FIELD_BYTES,
    maxParts: MAX_PARTS,
    maxHeaderBytes: 8 * 1024,
  });
  timer.mark('body');
  // The reader stopped early: the rest of the upload is discarded before the answer.
  if (!form.ok) {
    return form.problem === 'too-large'
      ? tooLarge(form.field, limits)
      : problem(
          400,
          `Send multipart/form-data with fields image, externalId and caption (${form.detail}).`,
        );
  }
  const text = (name: string) => {
    const part = form.parts.get(name);
    return part === undefined ? undefined : new TextDecoder().decode(part.bytes);
  };
  const image = form.parts.get('image');
  const fields = submissionFormSchema(limits).safeParse({
    externalId: text('externalId'),
    caption: text('caption'),
    image:
      image?.filename === undefined
        ? text('image')
        : new File([image.bytes as Uint8Array<ArrayBuffer>], image.filename),
  });
  if (!fields.success) return problem(400, firstIssue(fields.error));
  const bytes = image!.bytes;
  const type = imageTypeOf(bytes);
  if (!type)
    return problem(415, 'Only PNG, JPEG, GIF and WebP images are accepted (checked by content).');
  timer.mark('validate');

  // Written with the submissions arriving at the same time, in one transaction; answered only
  // once it has committed. The item is stored PENDING; a trainer worker running with
  // --moderation (npm start runs one) scores it, so platforms are not held up by the detectors.
  const result = await submitItemGrouped(db, {
    externalId: fields.data.externalId,
    caption: fields.data.caption ?? null,
    image: bytes,
    type,
    apiKeyId: key.id,
  });
  timer.mark('store');
  if (result.outcome === 'conflict') return problem(409, result.message);
  return Response.json(result.item satisfies SubmittedItemJson, {
    status: result.outcome === 'created' ? 201 : 200,
  });
});

/** What the 201/200 body serialises to must be what the contract says. */
type SubmittedItemJson = Omit<z.input<typeof submittedItemSchema>, 'createdAt' | 'reasons'> & {
  createdAt: Date;
  reasons: unknown;
};

/**
 * `GET /api/v1/submissions?updated_since=<ISO 8601>&cursor=<opaque>&limit=<1..200>`: the key's
 * items in (updatedAt, id) order, a page at a time, to reconcile after downtime. Answers
 * `{ items, nextCursor, hasMore }`; 400 names a bad parameter (a malformed `cursor` too),
 * 401 bad key, 429 over the key's rate limit (reads count against it like submissions).
 */
export const GET = platformRoute(async (req, { key, db }) => {
  const query = parseSubmissionListQuery(new URL(req.url).searchParams);
  if (!query.ok) return problem(400, query.error);
  return Response.json(await listSubmissions(db, key.id, query.options));
});

const ALLOWED = ['GET', 'POST'] as const;
export const PUT = otherMethods(ALLOWED);
export const PATCH = PUT;
export const DELETE = PUT;

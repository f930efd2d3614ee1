import { answerAfterDiscarding } from '~/server/http/read-body';
import { loadEnvironment } from '@ganmod/config';
import { listSubmissions } from '@ganmod/db/client';
import {
  platformInputLimits,
  captionLength,
  imageTypeOf,
  maxCaptionBytes,
  maxExternalIdBytes,
  type InputLimits,
} from '@ganmod/moderation/contract';
import { getDb } from '~/server/db';
import { StageTimer } from '~/server/http/server-timing';
import { multipartBoundary, readMultipart } from '~/server/moderation/multipart';
import {
  authorizePlatformRequest,
  methodNotAllowed,
  problem,
} from '~/server/moderation/platform-api';
import { parseSubmissionListQuery } from '~/server/moderation/submission-list-query';
import { submitItem } from '~/server/moderation/submissions';

export const dynamic = 'force-dynamic';

/** The moderation contract's limits; GANMOD_MAX_UPLOAD_BYTES may override the image's. */
function inputLimits(): InputLimits {
  return platformInputLimits(loadEnvironment().maxUploadBytes);
}

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
 * Multipart fields: `image` (file), `externalId`, `caption` (optional).
 * `externalId` is unique per API key: 201 created, 200 this key already submitted it with the
 * same image and caption (the same item back), 409 this key already submitted it with other
 * content, 400 bad fields, 401 bad key, 413 too large, 415 not a PNG/JPEG/GIF/WebP,
 * 429 over the key's rate limit.
 */
export async function POST(req: Request) {
  const db = getDb();
  const timer = new StageTimer();
  const auth = await authorizePlatformRequest(db, req, timer);
  if (!auth.ok) return answerAfterDiscarding(req, auth.response);
  const { key } = auth;

  const limits = inputLimits();
  const boundary = multipartBoundary(req.headers.get('content-type'));
  if (!boundary) {
    return answerAfterDiscarding(
      req,
      problem(400, 'Send multipart/form-data with fields image, externalId and caption.'),
    );
  }
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
  if (!form.ok) {
    // The reader stopped early: the rest of the upload is discarded before the answer.
    return answerAfterDiscarding(
      req,
      form.problem === 'too-large'
        ? tooLarge(form.field, limits)
        : problem(
            400,
            `Send multipart/form-data with fields image, externalId and caption (${form.detail}).`,
          ),
    );
  }
  const decode = (name: string) => {
    const part = form.parts.get(name);
    return part === undefined ? null : new TextDecoder().decode(part.bytes);
  };
  const image = form.parts.get('image');
  const externalId = decode('externalId');
  const caption = decode('caption')?.trim() || null;
  if (image?.filename === undefined) return problem(400, 'Field `image` must be a file.');
  if (externalId === null || !externalId.trim() || externalId.length > limits.maxExternalIdLength) {
    return problem(
      400,
      `Field \`externalId\` is required (1 to ${limits.maxExternalIdLength} characters).`,
    );
  }
  // Counted as the pipeline counts it (code points of the stored, trimmed caption).
  const captionChars = caption === null ? 0 : captionLength(caption);
  if (captionChars > limits.maxCaptionLength) {
    return problem(
      400,
      `Field \`caption\` has ${captionChars} characters; the limit is ${limits.maxCaptionLength}.`,
    );
  }
  const bytes = image.bytes;
  const type = imageTypeOf(bytes);
  if (!type)
    return problem(415, 'Only PNG, JPEG, GIF and WebP images are accepted (checked by content).');
  timer.mark('validate');

  const result = await submitItem(
    db,
    {
      externalId: externalId.trim(),
      caption,
      image: bytes,
      type,
      apiKeyId: key.id,
    },
    timer,
  );
  // The item is stored PENDING; a trainer worker running with --moderation (npm start runs one)
  // scores it with the moderation pipeline, so platforms are not held up by the detectors and a
  // dashboard restart loses nothing.
  if (result.outcome === 'conflict') return problem(409, result.message);
  const response = Response.json(result.item, { status: result.outcome === 'created' ? 201 : 200 });
  timer.mark('respond');
  response.headers.set('Server-Timing', timer.header());
  return response;
}

/**
 * `GET /api/v1/submissions?updated_since=<ISO 8601>&cursor=<opaque>&limit=<1..200>`: the key's
 * items in (updatedAt, id) order, a page at a time, to reconcile after downtime. Answers
 * `{ items, nextCursor, hasMore }`; 400 names a bad parameter (a malformed `cursor` too),
 * 401 bad key, 429 over the key's rate limit (reads count against it like submissions).
 */
export async function GET(req: Request) {
  const db = getDb();
  const auth = await authorizePlatformRequest(db, req);
  if (!auth.ok) return auth.response;
  const query = parseSubmissionListQuery(new URL(req.url).searchParams);
  if (!query.ok) return problem(400, query.error);
  return Response.json(await listSubmissions(db, auth.key.id, query.options));
}

const ALLOWED = ['GET', 'POST'] as const;
export const PUT = () => methodNotAllowed(ALLOWED);
export const PATCH = PUT;
export const DELETE = PUT;

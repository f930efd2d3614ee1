import {
  imageTypeOf,
  maxCaptionBytes,
  maxExternalIdBytes,
  type InputLimits,
} from '@ganmod/moderation/contract';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getDb } from '../db.ts';
import { discardNodeBody } from './discard-body.ts';
import { multipartBoundary, readMultipart, type BodySource } from './multipart.ts';
import {
  authorizePlatformRequest,
  platformHeaders,
  platformRoute,
  problemAnswer as problem,
  toResponse,
  type Answer,
  type PlatformCall,
} from './platform-route.ts';
import { StageTimer } from './stage-timer.ts';
import { submitItemGrouped } from './submission-store.ts';
import { configuredInputLimits, firstIssue, submissionFormSchema } from './submission-form.ts';

/** Each field other than image, externalId and caption (a platform may send a few small extras). */
const OTHER_FIELD_BYTES = 16 * 1024;
/** Most parts in one submission: the three fields and a few extras. */
const MAX_PARTS = 16;

/** Why a field is too large for the multipart reader to go on, naming the field and its limit. */
function tooLarge(field: string, limits: InputLimits): Answer {
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
 *
 * @param body the request body, read here (the caller discards what is left unread).
 */
export async function submit(
  body: BodySource | null,
  contentType: string | null,
  { key, db, timer }: PlatformCall,
): Promise<Answer> {
  const limits = configuredInputLimits();
  const boundary = multipartBoundary(contentType);
  if (!boundary)
    return problem(400, 'Send multipart/form-data with fields image, externalId and caption.');
  // Each field has its own byte limit, so the body can be at most image + caption + id + a few
  // KB, and reading stops at the first field over its limit, which the 413 names.
  const fieldBytes = new Map([
    ['image', limits.maxImageBytes],
    ['caption', maxCaptionBytes(limits)],
    ['externalId', maxExternalIdBytes(limits)],
  ]);
  const form = await readMultipart(body, boundary, {
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
  // The item's shape is checked against the contract's schema in platform-schemas.ts.
  return { status: result.outcome === 'created' ? 201 : 200, json: result.item };
}

/** {@link submit} as a route handler (Web `Request` in, `Response` out): what `next dev` serves. */
export const submitRoute = platformRoute(async (req, call) =>
  toResponse(await submit(req.body, req.headers.get('content-type'), call)),
);

/**
 * {@link submit} on the Node request itself, as the dashboard's server answers it (before Next,
 * without a Web `Request`: the platforms' hot path). Same checks and answers as
 * {@link submitRoute}, with `extraHeaders` (the security headers Next would add) on every answer.
 */
export async function submitDirectly(
  req: IncomingMessage,
  res: ServerResponse,
  extraHeaders: Readonly<Record<string, string>>,
): Promise<void> {
  const db = getDb();
  const timer = new StageTimer();
  const auth = await authorizePlatformRequest(db, req.headers.authorization ?? null, timer);
  const answer = auth.ok
    ? await submit(req.iterator({ destroyOnReturn: false }), req.headers['content-type'] ?? null, {
        key: auth.key,
        db,
        timer,
      })
    : auth.answer;
  // Answering mid-upload would reset the client's connection before it reads the answer.
  await discardNodeBody(req);
  const json = Buffer.from(JSON.stringify(answer.json));
  res.writeHead(answer.status, {
    ...extraHeaders,
    ...answer.headers,
    ...platformHeaders(auth.rate, timer),
    'Content-Type': 'application/json',
    'Content-Length': String(json.byteLength),
  });
  res.end(json);
}

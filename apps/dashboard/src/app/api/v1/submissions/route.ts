import { after } from 'next/server';
import { apiKeyFromRequest } from '~/server/auth/api-keys';
import { getDb } from '~/server/db';
import { detectImageType } from '~/server/moderation/image-type';
import { takeSubmissionSlot } from '~/server/moderation/rate-limit';
import { submitItem } from '~/server/moderation/submissions';

export const dynamic = 'force-dynamic';

/** Largest accepted image (GANMOD_MAX_UPLOAD_BYTES, default 10 MB). */
function maxImageBytes(): number {
  const n = Number(process.env.GANMOD_MAX_UPLOAD_BYTES);
  return Number.isFinite(n) && n > 0 ? n : 10 * 1024 * 1024;
}
/** Room for the multipart envelope, caption and id around the image. */
const ENVELOPE_BYTES = 256 * 1024;

function problem(status: number, error: string, headers?: Record<string, string>) {
  return Response.json({ error }, { status, ...(headers ? { headers } : {}) });
}

/** Reads the body, giving up as soon as it exceeds `limit` bytes (Content-Length can be absent or lie). */
async function readLimited(req: Request, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    body.set(c, offset);
    offset += c.byteLength;
  }
  return body;
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
  const key = await apiKeyFromRequest(db, req);
  if (!key)
    return problem(401, 'Missing, unknown or revoked API key. Send `Authorization: Bearer <key>`.');

  // Shared by every dashboard instance: the counter is in the database.
  const allowed = await takeSubmissionSlot(db, key.id, key.rateLimitPerMinute);
  if (!allowed.ok) {
    return problem(429, `Rate limit of ${key.rateLimitPerMinute} requests per minute exceeded.`, {
      'Retry-After': String(allowed.retryAfterSeconds),
    });
  }

  const max = maxImageBytes();
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max + ENVELOPE_BYTES)
    return problem(413, `Images are limited to ${max} bytes.`);
  const body = await readLimited(req, max + ENVELOPE_BYTES);
  if (!body) return problem(413, `Images are limited to ${max} bytes.`);

  let form: FormData;
  try {
    form = await new Response(body, {
      headers: { 'content-type': req.headers.get('content-type') ?? '' },
    }).formData();
  } catch {
    return problem(400, 'Send multipart/form-data with fields image, externalId and caption.');
  }
  const image = form.get('image');
  const externalId = form.get('externalId');
  const caption = form.get('caption');
  if (!(image instanceof File)) return problem(400, 'Field `image` must be a file.');
  if (typeof externalId !== 'string' || !externalId.trim() || externalId.length > 200) {
    return problem(400, 'Field `externalId` is required (1 to 200 characters).');
  }
  if (caption !== null && (typeof caption !== 'string' || caption.length > 5000)) {
    return problem(400, 'Field `caption` must be text of at most 5000 characters.');
  }
  if (image.size > max) return problem(413, `Images are limited to ${max} bytes.`);
  const bytes = new Uint8Array(await image.arrayBuffer());
  const type = detectImageType(bytes);
  if (!type)
    return problem(415, 'Only PNG, JPEG, GIF and WebP images are accepted (checked by content).');

  const result = await submitItem(db, {
    externalId: externalId.trim(),
    caption: caption?.trim() || null,
    image: bytes,
    type,
    apiKeyId: key.id,
  });
  // The item is stored PENDING; a trainer worker running with --moderation (npm start runs one)
  // scores it with the moderation pipeline, so platforms are not held up by the detectors and a
  // dashboard restart loses nothing.
  after(() =>
    db.apiKey
      .update({ where: { id: key.id }, data: { lastUsedAt: new Date() } })
      .then(() => undefined),
  );
  if (result.outcome === 'conflict') return problem(409, result.message);
  return Response.json(result.item, { status: result.outcome === 'created' ? 201 : 200 });
}

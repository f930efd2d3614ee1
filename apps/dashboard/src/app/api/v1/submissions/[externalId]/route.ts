import { readSubmission } from '@ganmod/db/client';
import { getDb } from '~/server/db';
import {
  authorizePlatformRequest,
  methodNotAllowed,
  problem,
} from '~/server/moderation/platform-api';

export const dynamic = 'force-dynamic';

/**
 * `GET /api/v1/submissions/{externalId}` (the id percent-encoded, e.g. with encodeURIComponent):
 * the calling key's item with that externalId, its status, verdict, reasons and decision history
 * (`PublicSubmission` in `@ganmod/db`). 404 when the key has no such item: another key's item
 * with the same externalId is never shown and answers exactly as an unknown id does.
 * 401 bad key, 429 over the key's rate limit.
 */
export async function GET(req: Request, ctx: { params: Promise<{ externalId: string }> }) {
  const db = getDb();
  const auth = await authorizePlatformRequest(db, req);
  if (!auth.ok) return auth.response;
  const { externalId } = await ctx.params;
  const item = await readSubmission(db, auth.key.id, externalId);
  if (!item) return problem(404, 'No submission with this externalId for this API key.');
  return Response.json(item);
}

const ALLOWED = ['GET'] as const;
export const POST = () => methodNotAllowed(ALLOWED);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;

import { listSubmissions } from '@ganmod/db/client';
import {
  otherMethods,
  platformRoute,
  problem,
} from '../../../../../server/platform/platform-route';
import { parseSubmissionListQuery } from '~/server/moderation/submission-list-query';

export const dynamic = 'force-dynamic';

/**
 * `POST /api/v1/submissions` (`server/platform/submit-route.ts`). The dashboard's server answers
 * it itself, before Next's router, so this export serves only `next dev`.
 */
export { submitRoute as POST } from '../../../../../server/platform/submit-route';

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

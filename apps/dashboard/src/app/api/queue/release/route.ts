import { z } from 'zod';
import { access } from '~/lib/roles';
import { authorizeRequest } from '~/server/auth/session';
import { getDb } from '~/server/db';
import { bodyTooLarge, readCappedText } from '~/server/http/read-body';
import { refuseForeignOrigin } from '~/server/http/origin-check';
import { releaseItem } from '~/server/moderation/claims';

export const dynamic = 'force-dynamic';

/** The body is one item id: a few dozen bytes. */
const MAX_RELEASE_BYTES = 1024;
const body = z.object({ id: z.string().min(1).max(200) });

/**
 * Releases the caller's claim on an item: what the queue's tab sends with `navigator.sendBeacon`
 * on `pagehide`, so closing the tab frees the item at once instead of when its lease lapses.
 * A beacon cannot carry tRPC's batching, hence this small handler; it applies the same gates as
 * every state-changing route: a trusted Origin (CSRF), a signed-in moderator, a capped JSON body.
 * Releasing an item someone else holds is a no-op.
 */
export async function POST(req: Request): Promise<Response> {
  const refusal = refuseForeignOrigin(req);
  if (refusal) return refusal;
  const auth = await authorizeRequest(req, access.moderation);
  if (auth.error) return auth.error;
  const text = await readCappedText(req, MAX_RELEASE_BYTES);
  if (text === null) return bodyTooLarge(MAX_RELEASE_BYTES);
  let parsed: z.infer<typeof body>;
  try {
    parsed = body.parse(JSON.parse(text));
  } catch {
    return Response.json({ error: 'Expected a JSON body {"id": "<item id>"}.' }, { status: 400 });
  }
  await releaseItem(getDb(), parsed.id, auth.user.id);
  return new Response(null, { status: 204 });
}

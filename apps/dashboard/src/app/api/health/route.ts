import { getDb } from '~/server/db';

export const dynamic = 'force-dynamic';

/** Liveness for load balancers: answers without a session and reveals nothing but "ok". */
export async function GET() {
  try {
    await getDb().$queryRawUnsafe('SELECT 1');
    return Response.json({ ok: true });
  } catch {
    return Response.json({ ok: false }, { status: 503 });
  }
}

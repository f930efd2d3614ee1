import { access } from '~/lib/roles';
import { authorizeRequest } from '~/server/auth/session';
import { getDb } from '~/server/db';
import { artifactsDir } from '~/server/env';
import { exportFile } from '~/server/exports';
import { streamFile } from '~/server/files';

export const dynamic = 'force-dynamic';

/**
 * `GET /api/runs/:id/export/:step/:file`: a run's exported generator for the browser playground
 * (engineers). `tf.loadLayersModel('…/model.json')` fetches model.json here, then the weight files
 * it names from the same folder; nothing else is served.
 */
export async function GET(
  req: Request,
  { params }: { params: Promise<{ id: string; step: string; file: string }> },
) {
  const auth = await authorizeRequest(req, access.engineering);
  if (auth.error) return auth.error;
  const { id, step, file } = await params;
  const found = await exportFile(getDb(), artifactsDir(), id, step, file);
  if (!found.ok) return Response.json({ error: found.error }, { status: found.status });
  // A later export of the same step replaces the files: revalidate instead of caching.
  return streamFile(found.path, found.contentType, 0);
}

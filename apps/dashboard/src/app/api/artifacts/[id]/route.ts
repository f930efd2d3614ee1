import { stat } from 'node:fs/promises';
import { access } from '~/lib/roles';
import { authorizeRequest } from '~/server/auth/session';
import { getDb } from '~/server/db';
import { artifactsDir } from '~/server/env';
import { resolveInside, streamFile } from '~/server/files';

export const dynamic = 'force-dynamic';

/**
 * Streams a run artifact (sample-grid PNG, or a checkpoint as a download) to engineers, after
 * checking that its stored path resolves inside the artifact store.
 */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const auth = await authorizeRequest(req, access.engineering);
  if (auth.error) return auth.error;
  const { id } = await params;
  const artifact = await getDb().artifact.findUnique({
    where: { id },
    select: { path: true, kind: true },
  });
  if (!artifact) return Response.json({ error: 'No such artifact.' }, { status: 404 });
  const path = await resolveInside(artifactsDir(), artifact.path);
  if (!path)
    return Response.json(
      { error: 'Artifact file is missing or outside the artifact store.' },
      { status: 404 },
    );
  if (!(await stat(path)).isFile()) {
    // Checkpoints are directories of weights: they are resumed from, not downloaded.
    return Response.json(
      { error: 'This artifact is a directory on the trainer host.', path: artifact.path },
      { status: 409 },
    );
  }
  if (artifact.kind === 'SAMPLE_GRID' && path.endsWith('.png'))
    return streamFile(path, 'image/png');
  const response = await streamFile(path, 'application/octet-stream');
  response.headers.set(
    'content-disposition',
    `attachment; filename="${path.split('/').pop() ?? 'artifact'}"`,
  );
  return response;
}

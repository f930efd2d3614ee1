import { stat } from 'node:fs/promises';
import { access } from '~/lib/roles';
import { authorizeRequest } from '~/server/auth/session';
import { getDb } from '~/server/db';
import { artifactsDir } from '~/server/env';
import { resolveInside, streamDirectoryTar, streamFile } from '~/server/files';

export const dynamic = 'force-dynamic';

/**
 * Streams a run artifact to engineers, after checking that its stored path resolves inside the
 * artifact store: a sample-grid PNG inline, a file as a download, and a directory (a checkpoint or
 * an export) as a tar download named `<run>-<kind>-step-<n>.tar` with entries under one folder.
 */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const auth = await authorizeRequest(req, access.engineering);
  if (auth.error) return auth.error;
  const { id } = await params;
  const artifact = await getDb().artifact.findUnique({
    where: { id },
    select: { path: true, kind: true, runId: true, step: true },
  });
  if (!artifact) return Response.json({ error: 'No such artifact.' }, { status: 404 });
  const path = await resolveInside(artifactsDir(), artifact.path);
  if (!path)
    return Response.json(
      { error: 'Artifact file is missing or outside the artifact store.' },
      { status: 404 },
    );
  if ((await stat(path)).isDirectory()) {
    const folder = `${artifact.runId}-${artifact.kind.toLowerCase()}-step-${artifact.step}`;
    return streamDirectoryTar(path, folder, `${folder}.tar`);
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

import { access } from '~/lib/roles';
import { authorizeRequest } from '~/server/auth/session';
import { getDb } from '~/server/db';
import { dataDir } from '~/server/env';
import { resolveInside, streamFile } from '~/server/files';
import { mimeForExtension } from '@ganmod/moderation/contract';

export const dynamic = 'force-dynamic';

/** A submitted item's image, for moderators. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const auth = await authorizeRequest(req, access.moderation);
  if (auth.error) return auth.error;
  const { id } = await params;
  const item = await getDb().contentItem.findUnique({
    where: { id },
    select: { imagePath: true, mime: true },
  });
  if (!item?.imagePath) return Response.json({ error: 'No image for this item.' }, { status: 404 });
  const path = await resolveInside(dataDir(), item.imagePath);
  if (!path) return Response.json({ error: 'Image file is missing.' }, { status: 404 });
  const ext = item.imagePath.split('.').pop() ?? '';
  // Content-addressed files never change: cache them for a day.
  return streamFile(path, item.mime ?? mimeForExtension(ext) ?? 'application/octet-stream', 86_400);
}

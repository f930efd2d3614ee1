import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { uploadsDir } from '../env';
import { isUniqueConstraintError, type Db } from '@ganmod/db/client';
import type { ImageType } from './image-type';

/** What the API returns for a submitted item. */
export const submissionSelect = {
  id: true,
  externalId: true,
  status: true,
  policyAction: true,
  reasons: true,
  sha256: true,
  mime: true,
  bytes: true,
  createdAt: true,
} as const;

/** Writes the image once under `<uploads>/<sha256>.<ext>` (atomic rename; identical content is shared). */
async function storeImage(
  bytes: Uint8Array,
  type: ImageType,
): Promise<{ sha256: string; relativePath: string }> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const dir = uploadsDir();
  const name = `${sha256}.${type.ext}`;
  const target = join(/*turbopackIgnore: true*/ dir, name);
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await mkdir(dir, { recursive: true });
    const tmp = join(/*turbopackIgnore: true*/ dir, `.${name}.${randomUUID()}.tmp`);
    await writeFile(tmp, bytes);
    await rename(tmp, target);
  }
  return { sha256, relativePath: `uploads/${name}` };
}

/**
 * Stores a submission, idempotent on `externalId`: the first call creates the item (`created`),
 * any later or concurrent call with the same id returns that item. The database's unique
 * constraint settles races; no read-then-write window decides it.
 */
export async function submitItem(
  db: Db,
  input: {
    externalId: string;
    caption: string | null;
    image: Uint8Array;
    type: ImageType;
    apiKeyId: string;
  },
) {
  const existing = await db.contentItem.findUnique({
    where: { externalId: input.externalId },
    select: submissionSelect,
  });
  if (existing) return { item: existing, created: false };
  const { sha256, relativePath } = await storeImage(input.image, input.type);
  try {
    const item = await db.contentItem.create({
      data: {
        externalId: input.externalId,
        caption: input.caption,
        imagePath: relativePath,
        sha256,
        mime: input.type.mime,
        bytes: input.image.byteLength,
        status: 'PENDING',
        submittedByKeyId: input.apiKeyId,
      },
      select: submissionSelect,
    });
    return { item, created: true };
  } catch (err) {
    if (!isUniqueConstraintError(err)) throw err;
    const item = await db.contentItem.findUniqueOrThrow({
      where: { externalId: input.externalId },
      select: submissionSelect,
    });
    return { item, created: false };
  }
}

import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IMAGE_EXTENSION, IMAGE_MIME, type ImageType } from '@ganmod/moderation/contract';
import { submitContentItem, type Db, type SubmitResult } from '@ganmod/db/client';
import type { StageTimer } from '../http/server-timing';
import { uploadsDir } from '../env';

export type { SubmitResult, SubmittedItem } from '@ganmod/db/client';

/** Writes the image once under `<uploads>/<sha256>.<ext>` (atomic rename; identical content is shared). */
async function storeImage(bytes: Uint8Array, sha256: string, type: ImageType): Promise<string> {
  const dir = uploadsDir();
  const name = `${sha256}.${IMAGE_EXTENSION[type]}`;
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
  return `uploads/${name}`;
}

/**
 * Stores a submission: `submitContentItem` in `@ganmod/db` (idempotent per API key on
 * `externalId`, races settled by the unique constraint), writing the image only for a new item.
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
  timer?: StageTimer,
): Promise<SubmitResult> {
  const sha256 = createHash('sha256').update(input.image).digest('hex');
  timer?.mark('hash');
  const result = await submitContentItem(
    db,
    {
      apiKeyId: input.apiKeyId,
      externalId: input.externalId,
      caption: input.caption,
      sha256,
      mime: IMAGE_MIME[input.type],
      bytes: input.image.byteLength,
    },
    async () => {
      timer?.mark('find');
      const path = await storeImage(input.image, sha256, input.type);
      timer?.mark('image');
      return path;
    },
  );
  timer?.mark('insert');
  return result;
}

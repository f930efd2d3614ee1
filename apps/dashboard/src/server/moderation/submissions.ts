import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { uploadsDir } from '../env';
import { isUniqueConstraintError, type Db, type Prisma } from '@ganmod/db/client';
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
async function storeImage(bytes: Uint8Array, sha256: string, type: ImageType): Promise<string> {
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
  return `uploads/${name}`;
}

/** An item as the API returns it. */
export type SubmittedItem = Prisma.ContentItemGetPayload<{ select: typeof submissionSelect }>;

/**
 * What a submission did: `created` a new item, found the key's `existing` one with the same
 * content, or a `conflict`: the key already used this `externalId` for other content.
 */
export type SubmitResult =
  | { outcome: 'created' | 'existing'; item: SubmittedItem }
  | { outcome: 'conflict'; message: string };

/** The key's own item with this externalId (never another key's), with what identifies its content. */
function findKeyItem(db: Db, apiKeyId: string, externalId: string) {
  return db.contentItem.findUnique({
    where: { submittedByKeyId_externalId: { submittedByKeyId: apiKeyId, externalId } },
    select: { ...submissionSelect, caption: true },
  });
}

/** Compares a repeat with the stored item: same image bytes and caption, or names what differs. */
function repeatOf(
  stored: SubmittedItem & { caption: string | null },
  input: { externalId: string; caption: string | null },
  sha256: string,
): SubmitResult {
  const { caption, ...item } = stored;
  const differs = [
    ...(stored.sha256 === sha256 ? [] : ['image']),
    ...(caption === input.caption ? [] : ['caption']),
  ];
  if (differs.length === 0) return { outcome: 'existing', item };
  return {
    outcome: 'conflict',
    message: `externalId '${input.externalId}' was already submitted by this key with a different ${differs.join(' and ')}`,
  };
}

/**
 * Stores a submission, idempotent per API key on `externalId`: the key's first call creates the
 * item (`created`); a later or concurrent call from the same key with the same image bytes and
 * caption returns that item (`existing`), with other content it is a `conflict`. Another key's
 * item with the same externalId is never returned nor touched: each key has its own. The
 * database's unique constraint on (key, externalId) settles races; no read-then-write window
 * decides it.
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
): Promise<SubmitResult> {
  const sha256 = createHash('sha256').update(input.image).digest('hex');
  const existing = await findKeyItem(db, input.apiKeyId, input.externalId);
  if (existing) return repeatOf(existing, input, sha256);
  const imagePath = await storeImage(input.image, sha256, input.type);
  try {
    const item = await db.contentItem.create({
      data: {
        externalId: input.externalId,
        caption: input.caption,
        imagePath,
        sha256,
        mime: input.type.mime,
        bytes: input.image.byteLength,
        status: 'PENDING',
        submittedByKeyId: input.apiKeyId,
      },
      select: submissionSelect,
    });
    return { outcome: 'created', item };
  } catch (err) {
    if (!isUniqueConstraintError(err)) throw err;
    const winner = await findKeyItem(db, input.apiKeyId, input.externalId);
    if (!winner) throw err;
    return repeatOf(winner, input, sha256);
  }
}

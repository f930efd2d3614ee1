import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IMAGE_EXTENSION, IMAGE_MIME, type ImageType } from '@ganmod/moderation/contract';
import {
  providerOf,
  resolveDatabaseUrl,
  submitContentItem,
  submitContentItems,
  type Db,
  type NewSubmission,
  type SubmitResult,
} from '@ganmod/db/client';
import { loadEnvironment } from '@ganmod/config';
import { Batcher } from './batcher.ts';

export type { SubmitResult, SubmittedItem } from '@ganmod/db/client';

/** Writes the image once under `<uploads>/<sha256>.<ext>` (atomic rename; identical content is shared). */
async function storeImage(bytes: Uint8Array, sha256: string, type: ImageType): Promise<string> {
  const dir = loadEnvironment().uploadsDir;
  const name = `${sha256}.${IMAGE_EXTENSION[type]}`;
  const target = join(/*turbopackIgnore: true*/ dir, name);
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const tmp = join(/*turbopackIgnore: true*/ dir, `.${name}.${randomUUID()}.tmp`);
    // The directory is made when a write finds it missing, not checked before every image.
    await writeFile(tmp, bytes).catch(async (err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dir, { recursive: true });
      await writeFile(tmp, bytes);
    });
    await rename(tmp, target);
  }
  return `uploads/${name}`;
}

/** A submission as the route has it: the image's bytes and sniffed type. */
export interface SubmissionInput {
  externalId: string;
  caption: string | null;
  image: Uint8Array;
  type: ImageType;
  apiKeyId: string;
}

function hashed(input: SubmissionInput): NewSubmission {
  return {
    apiKeyId: input.apiKeyId,
    externalId: input.externalId,
    caption: input.caption,
    sha256: createHash('sha256').update(input.image).digest('hex'),
    mime: IMAGE_MIME[input.type],
    bytes: input.image.byteLength,
  };
}

/**
 * Stores one submission: `submitContentItem` in `@ganmod/db` (idempotent per API key on
 * `externalId`, races settled by the unique constraint), writing the image only for a new item.
 */
export async function submitItem(db: Db, input: SubmissionInput): Promise<SubmitResult> {
  const submission = hashed(input);
  return submitContentItem(db, submission, () =>
    storeImage(input.image, submission.sha256, input.type),
  );
}

/**
 * Groups written at once on PostgreSQL (each holds one pooled connection for its transaction;
 * the rest of the pool serves key lookups and reads). SQLite has one writer: one group at a time.
 */
const POSTGRES_GROUPS_IN_FLIGHT = 4;

// One group per server process and database client.
const globalForGroups = globalThis as unknown as {
  ganmodSubmissionGroups?: WeakMap<Db, Batcher<SubmissionInput, SubmitResult>>;
};

/**
 * Stores a submission with the others arriving at the same time, in one transaction
 * (`submitContentItems`: same outcomes as {@link submitItem}). Resolves only after that
 * transaction has committed, so an answer sent on it is durable.
 */
export function submitItemGrouped(db: Db, input: SubmissionInput): Promise<SubmitResult> {
  const groups = (globalForGroups.ganmodSubmissionGroups ??= new WeakMap());
  let group = groups.get(db);
  if (!group) {
    group = new Batcher(
      (inputs: SubmissionInput[]) => {
        const submissions = inputs.map(hashed);
        return submitContentItems(db, submissions, (i) =>
          storeImage(inputs[i]!.image, submissions[i]!.sha256, inputs[i]!.type),
        );
      },
      providerOf(resolveDatabaseUrl(process.env)) === 'postgres' ? POSTGRES_GROUPS_IN_FLIGHT : 1,
    );
    groups.set(db, group);
  }
  return group.submit(input);
}

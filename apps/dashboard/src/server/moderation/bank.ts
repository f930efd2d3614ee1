import 'server-only';
import { readFile } from 'node:fs/promises';
import { TRPCError } from '@trpc/server';
import { loadEnvironment } from '@ganmod/config';
import {
  BankInputError,
  bankHashesOfImage,
  removeAndBankItem,
  type BankHash,
  type Db,
} from '@ganmod/db/client';
import {
  ModerationInputError,
  platformInputLimits,
  type BankLabel,
  type InputLimits,
} from '@ganmod/moderation/contract';
import { dataDir } from '../env';
import { resolveInside } from '../files';
import { decisionOrThrow } from './decide';

/** The platform's image limits (GANMOD_MAX_UPLOAD_BYTES may raise the image's): what was
 * accepted can be hashed. */
export function bankImageLimits(): InputLimits {
  return platformInputLimits(loadEnvironment().maxUploadBytes);
}

/** The bank hashes of an item's stored image. @throws TRPCError when there is none to hash. */
async function itemHashes(db: Db, itemId: string): Promise<BankHash[]> {
  const item = await db.contentItem.findUnique({
    where: { id: itemId },
    select: { imagePath: true },
  });
  if (!item) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such item.' });
  if (!item.imagePath) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: 'This item has no image, so there is nothing to bank. Remove it instead.',
    });
  }
  const path = await resolveInside(dataDir(), item.imagePath);
  if (!path) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: "This item's image file is missing, so it cannot be banked.",
    });
  }
  try {
    return (await bankHashesOfImage(await readFile(path), bankImageLimits())).hashes;
  } catch (err) {
    if (err instanceof ModerationInputError) {
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: `This item's image cannot be hashed (${err.message}), so it cannot be banked. Remove it instead.`,
      });
    }
    throw err;
  }
}

/**
 * "Remove and bank": the REMOVE decision (with the moderator's reason) and the item image's
 * hashes under `label`, in one transaction (`removeAndBankItem` in `@ganmod/db`). The image is
 * hashed first, outside the transaction, so no lock is held while it decodes.
 *
 * @throws TRPCError as {@link decisionOrThrow} does, or BAD_REQUEST when the image cannot be hashed.
 */
export async function removeAndBank(
  db: Db,
  input: {
    itemId: string;
    version: number;
    reasonCode: string;
    note?: string | undefined;
    label: BankLabel;
  },
  actorId: string,
) {
  const hashes = await itemHashes(db, input.itemId);
  const { label, ...decision } = input;
  let result;
  try {
    result = await removeAndBankItem(db, decision, { label, hashes }, actorId);
  } catch (err) {
    if (err instanceof BankInputError)
      throw new TRPCError({ code: 'BAD_REQUEST', message: err.message });
    throw err;
  }
  const recorded = decisionOrThrow(result, { action: 'REMOVE', reasonCode: input.reasonCode });
  return { decision: recorded, bank: result.bank ?? { added: 0, alreadyBanked: 0 } };
}

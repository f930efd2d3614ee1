/** The CLI's hash bank persisted as a JSON array of rows. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { HashBank, type HashBankRow } from '../bank/hash-bank.js';
import { ModerationConfigError } from '../errors.js';

const rowsSchema = z.array(
  z.object({
    hash: z.string(),
    label: z.string(),
    source: z.string(),
    variant: z.string().optional(),
  }),
);

/** Loads the bank file, or an empty bank when it does not exist yet. */
export async function readBankFile(path: string): Promise<HashBank> {
  if (!existsSync(path)) return new HashBank();
  const parsed = rowsSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success)
    throw new ModerationConfigError(`${path} is not a hash bank file: ${parsed.error.message}`);
  return HashBank.fromRows(parsed.data as HashBankRow[]);
}

/** Writes the bank atomically (temp file + rename). */
export async function writeBankFile(path: string, bank: HashBank): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(bank.toRows(), null, 1));
  await rename(tmp, path);
}

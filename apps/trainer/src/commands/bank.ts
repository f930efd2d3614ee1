/**
 * `ganmod-trainer bank ...`: the apps' hash bank (the database's, the one the dashboard's Bank
 * page and the scorer use), through `@ganmod/db`'s bank lifecycle. Changes are audited as
 * `cli:<os user>`.
 */
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, join } from 'node:path';
import {
  BANK_CSV_MAX_BYTES,
  BankInputError,
  addHashesToBank,
  bankHashesOfImage,
  deleteBankEntries,
  exportBankCsv,
  importBankCsv,
  listBankEntries,
  parseBankLabel,
  searchHashesOfImage,
  setBankEntriesDisabled,
  type BankActor,
  type Db,
} from '@ganmod/db';
import { BANK_LABELS, ModerationInputError, type BankLabel } from '@ganmod/moderation/contract';
import { openDatabase } from '../database.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { print, type OutputOptions } from '../output.js';

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase();
  try {
    return await fn(db);
  } catch (err) {
    if (err instanceof BankInputError) throw new CliError(err.problems.join('\n'), ExitCode.Usage);
    throw err;
  } finally {
    await db.$disconnect();
  }
}

/** Who the audit trail names for CLI changes. */
function cliActor(): BankActor {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep 'unknown'.
  }
  return { tool: `cli:${user}` };
}

function labelFlag(label: string | undefined, required: true): BankLabel;
function labelFlag(label: string | undefined, required?: false): BankLabel | undefined;
function labelFlag(label: string | undefined, required = false): BankLabel | undefined {
  if (label === undefined) {
    if (required) throw new CliError(`--label is required: one of ${labelList()}`, ExitCode.Usage);
    return undefined;
  }
  const parsed = parseBankLabel(label);
  if (!parsed)
    throw new CliError(`--label '${label}' is not one of ${labelList()}`, ExitCode.Usage);
  return parsed;
}

const labelList = () => BANK_LABELS.map((l) => l.toLowerCase().replace('_', '-')).join(', ');

async function imageFiles(target: string): Promise<string[]> {
  const info = await stat(target).catch(() => {
    throw new CliError(`no such file or folder: ${target}`, ExitCode.Usage);
  });
  if (!info.isDirectory()) return [target];
  const entries = await readdir(target, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(target, e.name))
    .sort();
}

/** `bank add <file|folder> --label L`: each image's hashes (with variants) into the bank. */
export async function bankAddCommand(
  target: string,
  options: OutputOptions & { label?: string; source?: string; note?: string },
) {
  const label = labelFlag(options.label, true);
  const results: { file: string; added?: number; alreadyBanked?: number; skipped?: string }[] = [];
  await withDb(async (db) => {
    for (const file of await imageFiles(target)) {
      try {
        const { hashes } = await bankHashesOfImage(await readFile(file));
        const r = await addHashesToBank(
          db,
          { hashes, label, source: options.source ?? basename(file), note: options.note ?? null },
          cliActor(),
        );
        results.push({ file, ...r });
      } catch (err) {
        if (!(err instanceof ModerationInputError)) throw err;
        results.push({ file, skipped: `${err.code}: ${err.message}` });
      }
    }
  });
  print(options, results, () =>
    results
      .map((r) =>
        r.skipped
          ? `${r.file}: skipped, ${r.skipped}`
          : `${r.file}: ${r.added} hash(es) added as ${label}, ${r.alreadyBanked} already banked`,
      )
      .join('\n'),
  );
}

/** `bank list`: newest entries, or those near a hash or an image. */
export async function bankListCommand(
  options: OutputOptions & {
    label?: string;
    near?: string;
    image?: string;
    limit: string;
    disabled?: boolean;
  },
) {
  const take = Number(options.limit);
  if (!Number.isInteger(take) || take < 1 || take > 500) {
    throw new CliError(
      `--limit must be an integer from 1 to 500, got '${options.limit}'`,
      ExitCode.Usage,
    );
  }
  // An image is searched with its rotations and mirrors too (the bank stores none of them).
  const search = options.image ? await searchHashesOfImage(await readFile(options.image)) : null;
  const near = search ? search.hash : options.near;
  const label = labelFlag(options.label);
  const { entries, total } = await withDb((db) =>
    listBankEntries(db, {
      label,
      take,
      ...(options.disabled ? { disabled: true } : {}),
      ...(search ? { near: { hash: search.near } } : near ? { near: { hash: near } } : {}),
    }),
  );
  print(options, { total, entries }, () =>
    [
      `${total} picture${total === 1 ? '' : 's'}${near ? ` within distance 31 of ${near}` : ''}`,
      ...entries.map((e) =>
        [
          e.id,
          e.hash,
          e.label.padEnd(14),
          `${e.hashCount} hash${e.hashCount === 1 ? '' : 'es'}`.padEnd(10),
          e.disabled ? 'DISABLED' : 'enabled ',
          `matches ${e.matchCount}`,
          e.distance === undefined ? '' : `distance ${e.distance}`,
          e.source,
        ].join('  '),
      ),
    ].join('\n'),
  );
}

/** `bank import <csv>`: a ThreatExchange PDQ list (hash,quality,label). */
export async function bankImportCommand(
  file: string,
  options: OutputOptions & { label?: string; source?: string },
) {
  const info = await stat(file).catch(() => {
    throw new CliError(`no such file: ${file}`, ExitCode.Usage);
  });
  if (info.size > BANK_CSV_MAX_BYTES) {
    throw new CliError(
      `${file} is ${info.size} bytes; the limit is ${BANK_CSV_MAX_BYTES} bytes (split the list)`,
      ExitCode.Usage,
    );
  }
  const label = labelFlag(options.label);
  const text = await readFile(file, 'utf8');
  const r = await withDb((db) =>
    importBankCsv(
      db,
      text,
      { source: options.source ?? basename(file), ...(label ? { label } : {}) },
      cliActor(),
    ),
  );
  print(options, r, () => `${file}: ${r.added} hash(es) added, ${r.alreadyBanked} already banked`);
}

/** `bank export [--out F]`: the enabled PDQ entries as a ThreatExchange CSV. */
export async function bankExportCommand(
  options: OutputOptions & { out?: string; label?: string; includeDisabled?: boolean },
) {
  const label = labelFlag(options.label);
  const { csv, count } = await withDb((db) =>
    exportBankCsv(db, { label, includeDisabled: options.includeDisabled ?? false }),
  );
  if (!options.out) {
    process.stdout.write(csv);
    return;
  }
  await writeFile(options.out, csv);
  print(options, { file: options.out, count }, () => `${count} hash(es) written to ${options.out}`);
}

/** `bank disable|enable|delete <id...>`. */
export async function bankChangeCommand(
  change: 'disable' | 'enable' | 'delete',
  ids: string[],
  options: OutputOptions & { note?: string },
) {
  const n = await withDb((db) =>
    change === 'delete'
      ? deleteBankEntries(db, ids, cliActor(), options.note ?? null)
      : setBankEntriesDisabled(db, ids, change === 'disable', cliActor(), options.note ?? null),
  );
  if (n === 0 && ids.length > 0) {
    throw new CliError(`no entry changed: unknown id, or already ${change}d`, ExitCode.NotFound);
  }
  // An id stands for its whole picture (every hash banked from one image).
  print(options, { changed: n }, () => `${n} picture${n === 1 ? '' : 's'} ${change}d`);
}

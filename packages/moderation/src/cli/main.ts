#!/usr/bin/env node
/**
 * ganmod-moderate: score files, evaluate detectors, manage the CLI's hash bank.
 *
 *   score <file|folder> [--caption TEXT] [--json] [--no-nsfw]
 *   eval [--quick] [--json] [--only near-duplicate,matching,spam,nsfw,explicit-benign,synthetic] [--generator DIR]
 *   bank add <file|folder> --label LABEL --file BANK.json [--source SOURCE]
 *   bank list --file BANK.json [--json]
 *
 * The `bank` commands keep a standalone JSON bank file, for using this package on its own; the
 * apps' bank is in the database (`ganmod-trainer bank ...`, the dashboard's Bank page).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { HashBank } from '../bank/hash-bank.js';
import { bankHashesForImage } from '../bank/image-variants.js';
import { createAbuseDetector } from '../detectors/caption-abuse.js';
import { createSpamDetector } from '../detectors/caption-spam.js';
import { createExplicitDetector } from '../detectors/explicit.js';
import { createNearDuplicateDetector } from '../detectors/near-duplicate.js';
import { ModerationConfigError, ModerationInputError } from '../errors.js';
import {
  evalExplicitBenign,
  evalNearDuplicate,
  evalNsfw,
  evalShortCaptions,
  evalSpam,
  evalSynthetic,
  evalTable,
  type EvalRow,
} from '../eval/evaluate.js';
import { evalMatching, matchingTable, type MatchingEval } from '../eval/matching.js';
import { decodeBytes } from '../pdq/image.js';
import { createModerator } from '../pipeline/moderator.js';
import type { ModerationItem } from '../types.js';
import { readBankFile, writeBankFile } from './bank-file.js';
import { bankFile } from './data-dir.js';

const USAGE = `usage: moderate <command>
  score <file|folder> [--caption TEXT] [--json] [--no-nsfw]   moderate images (and a caption)
  eval [--quick] [--json] [--only a,b] [--generator DIR]      per-detector precision/recall/AP
                                                               (DIR: a gan-core generator export)
                                                               matching: recall per edit on Debian's
                                                               wallpaper photos (see the README)
  bank add <file|folder> --label LABEL --file BANK.json [--source SOURCE]
                                                               add images to a JSON bank file
  bank list --file BANK.json [--json]                          show a JSON bank file
The bank commands keep a standalone JSON bank file (this package on its own); score reads it
with --bank-file. The apps' bank is in the database: ganmod-trainer bank ... and the dashboard.
Suggested file: $GANMOD_DATA_DIR/moderation/hash-bank.json (default <repo>/data/...)`;

class UsageError extends Error {}

async function filesOf(target: string): Promise<string[]> {
  const info = await stat(target).catch(() => {
    throw new UsageError(`no such file or folder: ${target}`);
  });
  if (!info.isDirectory()) return [target];
  const entries = await readdir(target, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(target, e.name))
    .sort();
}

async function score(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      caption: { type: 'string' },
      json: { type: 'boolean' },
      'no-nsfw': { type: 'boolean' },
      'bank-file': { type: 'string' },
    },
  });
  const target = positionals[0];
  if (!target && values.caption === undefined)
    throw new UsageError('score needs a file, a folder or --caption');
  const bank = values['bank-file'] ? await readBankFile(values['bank-file']) : new HashBank();
  const moderator = createModerator({
    detectors: [
      createNearDuplicateDetector({ bank }),
      ...(values['no-nsfw'] ? [] : [createExplicitDetector()]),
      createAbuseDetector(),
      createSpamDetector(),
    ],
  });
  const caption = values.caption;
  const withCaption = caption === undefined ? {} : { caption };
  const items: ModerationItem[] = target
    ? await Promise.all(
        (await filesOf(target)).map(async (f) => ({
          externalId: f,
          image: await readFile(f),
          ...withCaption,
        })),
      )
    : [{ externalId: 'caption', ...withCaption }];
  const outcomes = await moderator.moderateBatch(items);
  if (values.json) {
    console.log(JSON.stringify(outcomes, null, 2));
  } else {
    for (const o of outcomes) {
      if (!o.ok) {
        console.log(`${o.externalId}: REFUSED ${o.error.code}: ${o.error.message}`);
        continue;
      }
      console.log(`${o.externalId}: ${o.decision.action} (policy ${o.decision.policyVersion})`);
      for (const r of o.decision.reasons) {
        console.log(
          `  ${r.action.padEnd(6)} ${r.detector} ${r.score.toFixed(3)} ${r.label}: ${r.reason}`,
        );
      }
    }
  }
  const worst = outcomes.some((o) => o.ok && o.decision.action === 'BLOCK');
  return outcomes.some((o) => !o.ok) ? 2 : worst ? 1 : 0;
}

/** The `--file` of a bank command: the JSON bank is named, never implied (the apps' is the DB). */
function bankFileFlag(file: string | undefined): string {
  if (!file) {
    throw new UsageError(
      `bank commands here keep a standalone JSON file: give --file (e.g. ${bankFile()}). The apps' bank is in the database: ganmod-trainer bank ...`,
    );
  }
  return file;
}

async function bank(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') {
    const { values } = parseArgs({
      args: rest,
      options: { json: { type: 'boolean' }, file: { type: 'string' } },
    });
    const path = bankFileFlag(values.file);
    const rows = (await readBankFile(path)).toRows();
    if (values.json) {
      console.log(JSON.stringify(rows, null, 2));
      return 0;
    }
    const byLabel = new Map<string, number>();
    for (const r of rows) byLabel.set(r.label, (byLabel.get(r.label) ?? 0) + 1);
    console.log(
      `${path}: ${rows.length} hashes (${[...byLabel].map(([l, n]) => `${l} ${n}`).join(', ') || 'empty'})`,
    );
    for (const r of rows)
      console.log(`${r.hash}  ${r.label.padEnd(12)} ${r.variant ?? 'original'}\t${r.source}`);
    return 0;
  }
  if (sub === 'add') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { label: { type: 'string' }, source: { type: 'string' }, file: { type: 'string' } },
    });
    const target = positionals[0];
    if (!target || !values.label) throw new UsageError('bank add needs <file|folder> and --label');
    const path = bankFileFlag(values.file);
    const b = await readBankFile(path);
    const before = b.size;
    let added = 0;
    for (const file of await filesOf(target)) {
      try {
        const { pdq, crops } = await bankHashesForImage(await decodeBytes(await readFile(file)));
        if (pdq.quality < 50)
          console.warn(`${file}: PDQ quality ${pdq.quality} < 50, matches on it are not trusted`);
        b.addImage(
          pdq,
          { label: values.label, source: values.source ?? basename(file) },
          undefined,
          crops,
        );
        added++;
      } catch (err) {
        if (!(err instanceof ModerationInputError)) throw err;
        console.warn(`${file}: skipped, ${err.code}: ${err.message}`);
      }
    }
    await writeBankFile(path, b);
    console.log(
      `${added} image(s) added as '${values.label}' (${b.size - before} hashes with variants); bank: ${path}`,
    );
    return 0;
  }
  throw new UsageError(`unknown bank command '${sub ?? ''}' (add or list)`);
}

async function evaluate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean' },
      json: { type: 'boolean' },
      only: { type: 'string' },
      generator: { type: 'string' },
    },
  });
  const only = values.only?.split(',').map((s) => s.trim());
  const want = (name: string) => !only || only.includes(name);
  const log = (line: string) => console.error(line);
  const opts = {
    quick: values.quick ?? false,
    log,
    ...(values.generator ? { generatorDir: values.generator } : {}),
  };
  const rows: EvalRow[] = [];
  if (want('near-duplicate')) rows.push(...(await evalNearDuplicate(opts)));
  if (want('spam')) rows.push(...(await evalSpam(opts)), ...(await evalShortCaptions(opts)));
  if (want('nsfw')) rows.push(...(await evalNsfw(opts)));
  // explicit-benign: false positives of the explicit detector on benign real photos.
  if (want('explicit-benign')) rows.push(...(await evalExplicitBenign(opts)));
  if (want('synthetic')) rows.push(...(await evalSynthetic(opts)));
  let matching: MatchingEval | undefined;
  if (want('matching')) matching = await evalMatching(opts);
  if (values.json) {
    console.log(JSON.stringify(matching ? { rows, matching } : rows, null, 2));
  } else {
    if (rows.length > 0) console.log(evalTable(rows));
    if (matching)
      console.log(`\nNear-duplicate matching on real photos\n${matchingTable(matching)}`);
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'score':
      return score(args);
    case 'bank':
      return bank(args);
    case 'eval':
      return evaluate(args);
    case undefined:
    case '-h':
    case '--help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (
      err instanceof UsageError ||
      err instanceof ModerationConfigError ||
      (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    ) {
      console.error(`moderate: ${(err as Error).message}\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);

#!/usr/bin/env node
/**
 * ganmod-trainer: the training worker and the commands engineers drive it with.
 * Every command prints one-line errors and exits with a code from `exit-codes.ts`.
 */
import { environmentOrExit } from '@ganmod/config';
import { Command, CommanderError } from 'commander';
import { TRAINING_PRESETS } from '@ganmod/gan-core/config';
import { CliError, ExitCode } from './exit-codes.js';
import type { EvalFlags, SampleFlags } from './commands/generate.js';
import type { FeedbackFlags, PromoteFlags } from './commands/detectors.js';
import type { TrainFlags } from './commands/train.js';
import type { runWorkerCommand } from './commands/worker.js';
import { trainConfigOptions } from './commands/train-flags.js';
import { webhookOptions } from './webhooks/flags.js';

// Each command's module is loaded when that command runs: `runs`, `bank list` or `--help` need
// neither TF.js nor the models (a worker or a train loads them), and the CLI starts in half the time.
const generate = () => import('./commands/generate.js');
const detectors = () => import('./commands/detectors.js');
const runs = () => import('./commands/runs.js');
const banks = () => import('./commands/bank.js');

const program = new Command()
  .name('ganmod-trainer')
  .description('Train GANs and record every run in the ganmod database.')
  .option('--json', 'machine-readable output (one JSON document on stdout)')
  .addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 failure, 2 usage or invalid config, 3 database unreachable or misconfigured,
4 unknown id, 6 run cancelled, failed or diverged.
Environment: DATABASE_URL (default file:./data/ganmod.db), GANMOD_DATA_DIR, GANMOD_BACKEND, LOG_LEVEL.`,
  )
  .exitOverride();

const worker = program
  .command('worker')
  .description('claim queued runs from the database and train them, until stopped')
  .option('--once', 'exit when the queue is empty instead of waiting for more runs')
  .option(
    '--moderation',
    'also score submitted content (PENDING items) with the moderation pipeline',
  )
  .option('--poll <ms>', 'how often to look for queued runs', '2000')
  .option(
    '--stale-after <ms>',
    're-queue RUNNING runs whose worker has not heart-beaten for this long',
    '30000',
  );
// Webhook delivery flags (webhooks/flags.ts).
for (const option of webhookOptions()) worker.addOption(option);
worker.action(async (...args: Parameters<typeof runWorkerCommand>) =>
  (await import('./commands/worker.js')).runWorkerCommand(...args),
);

const train = program
  .command('train')
  .description(
    'train one run in the foreground from a preset, a config file and/or flags, recorded in the database',
  )
  .option(
    '--preset <name>',
    `start from a named preset: ${TRAINING_PRESETS.map((p) => p.name).join(' | ')}`,
  )
  .option(
    '-c, --config <file>',
    'JSON training config (gan-core schema); its fields override the preset, flags override both',
  )
  .option('--name <name>', 'run name')
  .option('--no-progress', 'no progress bar');
// One flag per training-config field, generated from the schema (train-flags.ts).
for (const option of trainConfigOptions()) train.addOption(option);
train
  .addHelpText(
    'after',
    `
Presets:
${TRAINING_PRESETS.map((p) => `  ${p.name.padEnd(16)} ${p.description}`).join('\n')}

Ctrl-C stops after the current step, checkpoints, and leaves the run CANCELLED (see \`resume\`).`,
  )
  .action(async (options: TrainFlags, cmd: Command) =>
    (await import('./commands/train.js')).trainCommand({ ...cmd.optsWithGlobals(), ...options }),
  );
program
  .command('runs')
  .description('list runs with their status, newest first')
  .option('--limit <n>', 'how many runs', '20')
  .option('--status <status>', 'only runs in this status')
  .action(async (options: { limit: string; status?: string }, cmd: Command) =>
    (await runs()).listRunsCommand({ ...cmd.optsWithGlobals(), ...options }),
  );
program
  .command('sample <runOrDir>')
  .description('sample a grid (or a latent interpolation strip) from a run or an export directory')
  .option('--n <n>', 'number of images', '64')
  .option('--seed <n>', 'latent seed', '0')
  .option('--label <class>', 'class to generate (conditional generators)')
  .option(
    '--interpolate <steps>',
    'a strip of this many images between two latent points instead of a grid',
  )
  .option(
    '--truncation <t>',
    'truncation trick: latents restricted to [-t, t] (smaller: more typical, less varied images)',
  )
  .option('-o, --out <file>', 'PNG to write')
  .action(async (ref: string, options: SampleFlags, cmd: Command) =>
    (await generate()).sampleCommand(ref, { ...cmd.optsWithGlobals(), ...options }),
  );
program
  .command('eval <runOrDir>')
  .description('quality metrics (FID, KID, IS, precision/recall) of a run or an export directory')
  .option('--n <n>', 'generated images to compare', '2000')
  .option('--dataset <kind>', 'reference dataset (required for an export directory)')
  .option(
    '--truncation <t>',
    'truncation trick: latents restricted to [-t, t] (smaller: more typical, less varied images)',
  )
  .action(async (ref: string, options: EvalFlags, cmd: Command) =>
    (await generate()).evalCommand(ref, { ...cmd.optsWithGlobals(), ...options }),
  );
program
  .command('export <runId>')
  .description("export a run's generator as a browser-loadable TF.js Layers model")
  .option(
    '-o, --out <dir>',
    "directory to write (default: the run's artifacts, recorded in the database)",
  )
  .action(async (id: string, options: { out?: string }, cmd: Command) =>
    (await generate()).exportCommand(id, { ...cmd.optsWithGlobals(), ...options }),
  );
program
  .command('cancel <runId>')
  .description('cancel a queued run, or ask a running one to stop after its current step')
  .action(async (id: string, _options: unknown, cmd: Command) =>
    (await runs()).cancelRunCommand(id, cmd.optsWithGlobals()),
  );
program
  .command('resume <runId>')
  .description('re-queue a cancelled or failed run; it continues from its last checkpoint')
  .action(async (id: string, _options: unknown, cmd: Command) =>
    (await runs()).resumeRunCommand(id, cmd.optsWithGlobals()),
  );

const detector = program
  .command('detector')
  .description('synthetic-image detectors promoted from runs (list, promote, train-pending)');
detector
  .command('promote <runId>')
  .description(
    "request a synthetic-image detector trained against the run's checkpoint; a worker trains, evaluates and activates it",
  )
  .option('--step <n>', 'checkpoint step (default: the newest still on disk)')
  .option('--steps <n>', 'detector training steps (default 600)')
  .option('--train-images <n>', 'real training images from the run dataset (default 10000)')
  .option('--eval-size <n>', 'held-out real and generated images each (default 1000)')
  .option('--now', 'train here and wait instead of leaving it to a worker')
  .action(async (runId: string, options: PromoteFlags, cmd: Command) =>
    (await detectors()).promoteDetectorCommand(runId, { ...cmd.optsWithGlobals(), ...options }),
  );
detector
  .command('list')
  .description('detector models with status, active flag and held-out AP / ROC AUC')
  .action(async (_options: unknown, cmd: Command) =>
    (await detectors()).listDetectorsCommand(cmd.optsWithGlobals()),
  );
detector
  .command('train-pending')
  .description('train every pending promotion request in this process, then exit')
  .action(async (_options: unknown, cmd: Command) =>
    (await detectors()).trainPendingCommand(cmd.optsWithGlobals()),
  );

program
  .command('feedback')
  .description(
    'moderator decisions become labels: recalibrate policy thresholds, retrain the caption spam model, store both as active',
  )
  .option('--dry-run', 'print the before/after table only; store nothing')
  .option('--min-examples <n>', 'reviewed items a category (or the spam model) needs', '20')
  .action(async (options: FeedbackFlags, cmd: Command) =>
    (await detectors()).feedbackCommand({ ...cmd.optsWithGlobals(), ...options }),
  );

const bank = program
  .command('bank')
  .description(
    "the apps' hash bank (the database's: the dashboard's Bank page and the scorer use it); labels csam, terror, non-consensual, copyright, spam, custom",
  );
bank
  .command('add <fileOrFolder>')
  .description(
    "bank images: each as one picture of the matcher's hashes (PDQ of crops and strip; DCT signatures when low-detail)",
  )
  .option('--label <label>', 'bank label (required)')
  .option('--source <source>', 'where the images came from (default: the file name)')
  .option('--note <note>', 'a note kept on the entries')
  .action(
    (target: string, options: { label?: string; source?: string; note?: string }, cmd: Command) =>
      banks().then((m) => m.bankAddCommand(target, { ...cmd.optsWithGlobals(), ...options })),
  );
bank
  .command('list')
  .description(
    'newest banked pictures, or those within PDQ distance 31 of a hash or an image (and its mirrors)',
  )
  .option('--label <label>', 'only this label')
  .option('--near <hash>', 'entries near this 64-hex PDQ hash, closest first')
  .option('--image <file>', 'entries near this image, closest first')
  .option('--disabled', 'only disabled entries')
  .option('--limit <n>', 'how many', '50')
  .action(
    (
      options: { label?: string; near?: string; image?: string; limit: string; disabled?: boolean },
      cmd: Command,
    ) => banks().then((m) => m.bankListCommand({ ...cmd.optsWithGlobals(), ...options })),
  );
bank
  .command('import <csv>')
  .description('import a ThreatExchange PDQ list (hash,quality,label per line); all or nothing')
  .option('--label <label>', 'give every hash this label (the third column is then ignored)')
  .option('--source <source>', 'recorded on the entries (default: the file name)')
  .action((file: string, options: { label?: string; source?: string }, cmd: Command) =>
    banks().then((m) => m.bankImportCommand(file, { ...cmd.optsWithGlobals(), ...options })),
  );
bank
  .command('export')
  .description('the enabled PDQ entries as a ThreatExchange CSV (stdout, or --out)')
  .option('--out <file>', 'write to this file')
  .option('--label <label>', 'only this label')
  .option('--include-disabled', 'disabled entries too')
  .action((options: { out?: string; label?: string; includeDisabled?: boolean }, cmd: Command) =>
    banks().then((m) => m.bankExportCommand({ ...cmd.optsWithGlobals(), ...options })),
  );
for (const change of ['disable', 'enable', 'delete'] as const) {
  bank
    .command(`${change} <ids...>`)
    .description(`${change} the pictures of these entry ids, all their hashes (audited)`)
    .option('--note <note>', 'why, kept in the audit trail')
    .action((ids: string[], options: { note?: string }, cmd: Command) =>
      banks().then((m) =>
        m.bankChangeCommand(change, ids, { ...cmd.optsWithGlobals(), ...options }),
      ),
    );
}

async function main(argv: string[]): Promise<number> {
  // Every variable validated once, before any command runs: a wrong one stops here, named.
  environmentOrExit('ganmod-trainer');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with code 0.
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`ganmod-trainer: ${err.message}\n`);
      return err.exitCode;
    }
    // A database that was never migrated: say how to fix it, not Prisma's stack.
    const { missingTableMessage } = await import('@ganmod/db/client');
    const missingTables = missingTableMessage(err);
    if (missingTables !== undefined) {
      process.stderr.write(`ganmod-trainer: ${missingTables}\n`);
      return ExitCode.Database;
    }
    process.stderr.write(
      `ganmod-trainer: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return ExitCode.Failure;
  }
}

process.exitCode = await main(process.argv);

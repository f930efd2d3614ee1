#!/usr/bin/env node
/**
 * ganmod-trainer: the training worker and the commands engineers drive it with.
 * Every command prints one-line errors and exits with a code from `exit-codes.ts`.
 */
import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from './exit-codes.js';
import { runWorkerCommand } from './commands/worker.js';

const program = new Command()
  .name('ganmod-trainer')
  .description('Train GANs and record every run in the ganmod database.')
  .option('--json', 'machine-readable output (one JSON document on stdout)')
  .addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 failure, 2 usage or invalid config, 3 database unreachable or misconfigured,
4 unknown id, 5 not implemented yet, 6 run cancelled or diverged.
Environment: DATABASE_URL (default file:./data/ganmod.db), GANMOD_DATA_DIR, GANMOD_BACKEND, LOG_LEVEL.`,
  )
  .exitOverride();

function notYet(name: string, issue: string) {
  return () => {
    throw new CliError(`'${name}' is not implemented yet (${issue}).`, ExitCode.NotImplemented);
  };
}

program
  .command('worker')
  .description('claim queued runs from the database and train them, until stopped')
  .option('--once', 'exit when the queue is empty instead of waiting for more runs')
  .option('--poll <ms>', 'how often to look for queued runs', '2000')
  .action(runWorkerCommand);

program
  .command('train')
  .description('train one run in the foreground from a config file and/or flags')
  .action(notYet('train', 'the trainer issue'));
program.command('runs').description('list runs with their status').action(notYet('runs', 'the trainer issue'));
program
  .command('sample')
  .description('sample images from a run or checkpoint')
  .action(notYet('sample', 'the trainer issue'));
program.command('eval').description('quality metrics for a checkpoint').action(notYet('eval', 'the trainer issue'));
program
  .command('export')
  .description('export a browser-loadable generator')
  .action(notYet('export', 'the trainer issue'));
program.command('cancel').description('request cancellation of a run').action(notYet('cancel', 'the trainer issue'));
program.command('resume').description('re-queue a stopped run from its last checkpoint').action(notYet('resume', 'the trainer issue'));

async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with code 0.
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`ganmod-trainer: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`ganmod-trainer: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return ExitCode.Failure;
  }
}

process.exitCode = await main(process.argv);

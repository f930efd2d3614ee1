import { openDatabase } from '../database.js';
import { ContentScorer } from '../scoring/content-scorer.js';
import {
  artifactsDir,
  dataDir,
  defaultArtifactStore,
  prepareBackend,
  submissionLimits,
} from '../environment.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { createLogger } from '../log.js';
import { runWorker } from '../worker.js';
import { webhookSettings, type WebhookFlags } from '../webhooks/flags.js';

interface WorkerCommandOptions extends WebhookFlags {
  once?: boolean;
  moderation?: boolean;
  poll: string;
  staleAfter: string;
}

function positiveInt(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new CliError(`${flag} must be an integer >= ${min}, got '${value}'`, ExitCode.Usage);
  return n;
}

/** `worker`: claim and train queued runs until SIGINT/SIGTERM (or an empty queue with --once). */
export async function runWorkerCommand(options: WorkerCommandOptions): Promise<void> {
  const pollMs = positiveInt(options.poll, '--poll', 100);
  const staleAfterMs = positiveInt(options.staleAfter, '--stale-after', 1000);
  const webhooks = webhookSettings(options, positiveInt);
  const log = createLogger('worker');
  const db = await openDatabase();
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    log.info(
      { signal },
      'stopping: the current run finishes its step, checkpoints and is re-queued',
    );
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await prepareBackend(log);
    await runWorker({
      db,
      store: defaultArtifactStore(),
      log,
      signal: stop.signal,
      pollMs,
      staleAfterMs,
      once: options.once === true,
      ...(webhooks ? { webhooks } : {}),
      ...(options.moderation
        ? { scorer: new ContentScorer(db, dataDir(), log, artifactsDir(), submissionLimits()) }
        : {}),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await db.$disconnect();
  }
}

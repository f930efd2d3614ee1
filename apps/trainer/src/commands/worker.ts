import { hostname } from 'node:os';
import { connectDb, describeDbError, resolveDatabaseUrl } from '@ganmod/db';
import { CliError, ExitCode } from '../exit-codes.js';
import { createLogger } from '../log.js';

interface WorkerOptions {
  once?: boolean;
  poll: string;
}

/** `worker`: connect, then wait for queued runs until SIGINT/SIGTERM. */
export async function runWorkerCommand(options: WorkerOptions): Promise<void> {
  const log = createLogger('worker');
  const pollMs = Number(options.poll);
  if (!Number.isInteger(pollMs) || pollMs < 100) {
    throw new CliError(`--poll must be an integer >= 100 (ms), got '${options.poll}'`, ExitCode.Usage);
  }
  const url = resolveDatabaseUrl(process.env);
  let db;
  try {
    db = await connectDb(url);
  } catch (err) {
    throw new CliError(describeDbError(err), ExitCode.Database);
  }
  const workerId = `${hostname()}:${process.pid}`;
  log.info({ workerId }, 'worker started');
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'stopping');
      stop.abort();
    });
  }
  try {
    while (!stop.signal.aborted) {
      const queued = await db.trainingRun.count({ where: { status: 'QUEUED' } });
      if (queued > 0) log.info({ queued }, 'runs are queued; training lands with the trainer issue');
      if (options.once) break;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        stop.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve(undefined);
        });
      });
    }
  } finally {
    await db.$disconnect();
    log.info({ workerId }, 'worker stopped');
  }
}

import { existsSync } from 'node:fs';
import { claimDetectorRequest, requestDetectorPromotion, type Db } from '@ganmod/db';
import { openDatabase } from '../database.js';
import {
  detectorTrainingConfigSchema,
  trainDetectorRequest,
} from '../detectors/detector-training.js';
import { defaultArtifactStore, prepareBackend } from '../environment.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { formatFeedbackReport, runFeedback } from '../scoring/feedback.js';
import { createLogger } from '../log.js';
import { print, type OutputOptions } from '../output.js';

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase();
  try {
    return await fn(db);
  } finally {
    await db.$disconnect();
  }
}

function intFlag(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new CliError(`${flag} must be an integer >= ${min}, got '${value}'`, ExitCode.Usage);
  return n;
}

export interface PromoteFlags extends OutputOptions {
  step?: string;
  steps?: string;
  trainImages?: string;
  evalSize?: string;
  /** Train in this process now instead of leaving the request to a worker. */
  now?: boolean;
}

/**
 * `detector promote <runId>`: requests a synthetic-image detector trained against the run's
 * checkpoint (default newest). A worker trains it; `--now` trains it here and waits.
 */
export async function promoteDetectorCommand(runId: string, flags: PromoteFlags): Promise<void> {
  const step = intFlag(flags.step, '--step', 0);
  const options = {
    ...(flags.steps === undefined ? {} : { steps: intFlag(flags.steps, '--steps', 1) }),
    ...(flags.trainImages === undefined
      ? {}
      : { trainImages: intFlag(flags.trainImages, '--train-images', 16) }),
    ...(flags.evalSize === undefined
      ? {}
      : { evalSize: intFlag(flags.evalSize, '--eval-size', 10) }),
  };
  const valid = detectorTrainingConfigSchema.safeParse(options);
  if (!valid.success)
    throw new CliError(
      valid.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '),
      ExitCode.Usage,
    );
  const log = createLogger('detector');
  if (flags.now) await prepareBackend(log);
  const store = defaultArtifactStore();
  await withDb(async (db) => {
    // gan-core keeps only the newest checkpoints: refuse (or skip, for the default) a step whose
    // files are gone instead of queueing a request that can only fail.
    const checkpoints = await db.artifact.findMany({
      where: { runId, kind: 'CHECKPOINT' },
      orderBy: { step: 'desc' },
      select: { step: true, path: true },
    });
    const onDisk = checkpoints.filter((c) => existsSync(store.resolve(c.path))).map((c) => c.step);
    if (step !== undefined && checkpoints.some((c) => c.step === step) && !onDisk.includes(step))
      throw new CliError(
        `the files of run '${runId}' checkpoint ${step} are gone (only the newest are kept); available: ${onDisk.join(', ') || 'none'}`,
        ExitCode.NotFound,
      );
    const chosen = step ?? onDisk[0];
    const result = await requestDetectorPromotion(db, {
      runId,
      ...(chosen === undefined ? {} : { step: chosen }),
      config: options,
    });
    switch (result.outcome) {
      case 'RUN_NOT_FOUND':
        throw new CliError(`no run with id '${runId}'`, ExitCode.NotFound);
      case 'RUN_NOT_SUCCEEDED':
        throw new CliError(
          `run '${runId}' is ${result.status}: only SUCCEEDED runs can be promoted`,
          ExitCode.Usage,
        );
      case 'NO_CHECKPOINT':
        throw new CliError(
          result.steps.length === 0
            ? `run '${runId}' has no checkpoint`
            : `run '${runId}' has no checkpoint at step ${step}; it has ${result.steps.join(', ')}`,
          ExitCode.NotFound,
        );
      default:
        break;
    }
    let model = result.model;
    if (flags.now && model.status === 'PENDING') {
      // Claim this very request (a worker may have taken it meanwhile: then it trains there).
      const claimed = await db.detectorModel.updateMany({
        where: { id: model.id, status: 'PENDING' },
        data: {
          status: 'TRAINING',
          workerId: `cli:${process.pid}`,
          startedAt: new Date(),
          heartbeatAt: new Date(),
        },
      });
      if (claimed.count === 1) {
        await trainDetectorRequest(
          db,
          store,
          await db.detectorModel.findUniqueOrThrow({ where: { id: model.id } }),
          log,
        );
        model = await db.detectorModel.findUniqueOrThrow({ where: { id: model.id } });
      }
    }
    print(flags, { outcome: result.outcome, model }, () =>
      [
        `${result.outcome === 'REQUESTED' ? 'requested' : 'already requested'}: detector model ${model.id} (${model.name}) ${model.status}`,
        model.status === 'READY'
          ? `active; evaluation ${JSON.stringify(model.evaluation)}`
          : model.status === 'FAILED'
            ? `failed: ${model.error ?? ''}`
            : 'a worker (`ganmod-trainer worker`) trains it and makes it the active synthetic-image detector',
      ].join('\n'),
    );
    if (model.status === 'FAILED') process.exitCode = ExitCode.Failure;
  });
}

/** `detector list`: detector models with status and held-out evaluation. */
export async function listDetectorsCommand(flags: OutputOptions): Promise<void> {
  const models = await withDb((db) =>
    db.detectorModel.findMany({ orderBy: { createdAt: 'desc' }, take: 100 }),
  );
  const num = (e: unknown, key: string) => {
    const v = (e as Record<string, unknown> | null)?.[key];
    return typeof v === 'number' ? v.toFixed(3) : '-';
  };
  print(flags, models, () =>
    models.length === 0
      ? 'no detector models'
      : models
          .map((m) =>
            [
              m.id,
              m.kind.padEnd(15),
              m.status.padEnd(8),
              m.active ? 'active' : '      ',
              `AP ${num(m.evaluation, 'averagePrecision')} AUC ${num(m.evaluation, 'rocAuc')}`,
              m.name,
              m.error ? `— ${m.error}` : '',
            ].join('  '),
          )
          .join('\n'),
  );
}

/** `detector train-pending`: trains every PENDING request in this process, then exits. */
export async function trainPendingCommand(flags: OutputOptions): Promise<void> {
  const log = createLogger('detector');
  await prepareBackend(log);
  const done: { id: string; status: string }[] = [];
  await withDb(async (db) => {
    for (;;) {
      const request = await claimDetectorRequest(db, `cli:${process.pid}`);
      if (request === null) break;
      done.push({
        id: request.id,
        status: await trainDetectorRequest(db, defaultArtifactStore(), request, log),
      });
    }
  });
  print(flags, done, () =>
    done.length === 0 ? 'no pending requests' : done.map((d) => `${d.id} ${d.status}`).join('\n'),
  );
  if (done.some((d) => d.status === 'FAILED')) process.exitCode = ExitCode.Failure;
}

export interface FeedbackFlags extends OutputOptions {
  dryRun?: boolean;
  minExamples: string;
}

/** `feedback`: moderator decisions -> recalibrated policy + retrained spam model (see feedback.ts). */
export async function feedbackCommand(flags: FeedbackFlags): Promise<void> {
  const minExamples = intFlag(flags.minExamples, '--min-examples', 2) ?? 20;
  const report = await withDb((db) =>
    runFeedback(db, defaultArtifactStore(), { dryRun: flags.dryRun === true, minExamples }),
  );
  print(flags, report, () => formatFeedbackReport(report, flags.dryRun === true));
}

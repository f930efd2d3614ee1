/**
 * Promotion of a training run's checkpoint to the synthetic-image detector: a worker claims a
 * PENDING `DetectorModel` request, trains `@ganmod/moderation`'s real-vs-generated CNN on the run's
 * dataset against that checkpoint's generator, evaluates it on held-out real and generated images
 * (AP, ROC AUC, precision/recall), saves it under the artifact store and marks it READY and active
 * in one transaction (so the content scorer switches to it). Any failure ends the request FAILED
 * with the reason; the previously active detector stays active.
 */
import { existsSync } from 'node:fs';
import { confineDatasetSpec, loadDataset } from '@ganmod/datasets';
import {
  claimDetectorRequest,
  completeDetectorRequest,
  failDetectorRequest,
  heartbeatDetectorRequest,
  requeueStaleDetectorRequests,
  type Db,
  type DetectorModel,
} from '@ganmod/db';
import { checkpointDirName, parseTrainConfig } from '@ganmod/gan-core';
import {
  ganCoreGenerator,
  saveSyntheticModel,
  trainSyntheticDetector,
  type RealImageSet,
  type SyntheticEvaluation,
} from '@ganmod/moderation';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ArtifactStore } from '../artifacts.js';
import { exportCheckpointGenerator } from '../training/generator-export.js';

/** Training options a request may carry in its `config` (all optional). */
export const detectorTrainingConfigSchema = z
  .object({
    /**
     * Training steps of `batchSize` real + `batchSize` generated images. 600 by default: against
     * a 2000-step MNIST DCGAN, 150 steps reached held-out AP 0.660, 600 steps 0.917 (~30 s).
     */
    steps: z.number().int().min(1).max(100_000).default(600),
    batchSize: z.number().int().min(2).max(512).default(32),
    /** Real training images to load from the run's dataset. */
    trainImages: z.number().int().min(16).max(1_000_000).default(10_000),
    /** Held-out images per class for the evaluation. */
    evalSize: z.number().int().min(10).max(100_000).default(1000),
    seed: z.number().int().min(0).default(1),
  })
  .strict();

/** Parsed request options. */
export type DetectorTrainingConfig = z.infer<typeof detectorTrainingConfigSchema>;

/** What a finished request stores as its `evaluation`. */
export interface DetectorRequestEvaluation extends SyntheticEvaluation {
  runId: string;
  checkpointStep: number;
  config: DetectorTrainingConfig;
}

/** Holds out the last fifth of a set that has no test split (e.g. an image folder). */
function splitHeldOut(set: RealImageSet): { train: RealImageSet; test: RealImageSet } {
  const per = set.shape.reduce((a, b) => a * b, 1);
  const testSize = Math.max(1, Math.floor(set.size / 5));
  const trainSize = set.size - testSize;
  return {
    train: { ...set, size: trainSize, data: set.data.subarray(0, trainSize * per) },
    test: {
      name: `${set.name} (held-out last ${testSize})`,
      shape: set.shape,
      size: testSize,
      data: set.data.subarray(trainSize * per),
    },
  };
}

/**
 * Trains and evaluates the detector a claimed request asks for, and ends the request READY and
 * active, or FAILED with the reason. Never throws for a bad request; returns the final status.
 */
export async function trainDetectorRequest(
  db: Db,
  store: ArtifactStore,
  request: DetectorModel,
  log: Logger,
  heartbeatMs = 5000,
): Promise<'READY' | 'FAILED'> {
  const at = { detectorModelId: request.id, runId: request.sourceRunId, step: request.sourceStep };
  // Heart-beat while training so other workers do not re-queue the request (see the worker loop).
  const beat = setInterval(() => {
    if (request.workerId === null) return;
    heartbeatDetectorRequest(db, request.id, request.workerId).catch((err: unknown) =>
      log.warn({ ...at, err: (err as Error).message }, 'detector request heartbeat failed'),
    );
  }, heartbeatMs);
  try {
    const evaluation = await trainAndSave(db, store, request, log);
    await completeDetectorRequest(db, request.id, JSON.parse(JSON.stringify(evaluation)) as object);
    log.info(
      { ...at, averagePrecision: evaluation.averagePrecision, rocAuc: evaluation.rocAuc },
      'synthetic-image detector ready and active',
    );
    return 'READY';
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error({ ...at, err: message }, 'synthetic-image detector request failed');
    await failDetectorRequest(db, request.id, message);
    return 'FAILED';
  } finally {
    clearInterval(beat);
  }
}

async function trainAndSave(
  db: Db,
  store: ArtifactStore,
  request: DetectorModel,
  log: Logger,
): Promise<DetectorRequestEvaluation> {
  if (request.kind !== 'SYNTHETIC_IMAGE')
    throw new Error(`only SYNTHETIC_IMAGE requests are trained here, got ${request.kind}`);
  if (request.sourceRunId === null || request.sourceStep === null)
    throw new Error('the request names no source run and checkpoint step');
  const parsed = detectorTrainingConfigSchema.safeParse(request.config ?? {});
  if (!parsed.success)
    throw new Error(
      `invalid training options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const config = parsed.data;
  const runId = request.sourceRunId;
  const step = request.sourceStep;
  const run = await db.trainingRun.findUnique({ where: { id: runId }, select: { config: true } });
  if (run === null) throw new Error(`run ${runId} no longer exists`);
  const trainConfig = parseTrainConfig(run.config);
  const checkpoint = await db.artifact.findUnique({
    where: { runId_kind_step: { runId, kind: 'CHECKPOINT', step } },
  });
  if (checkpoint === null) throw new Error(`run ${runId} has no checkpoint at step ${step}`);
  const checkpointDir = store.resolve(checkpoint.path);
  if (!existsSync(checkpointDir))
    throw new Error(`checkpoint files of run ${runId} step ${step} are gone (${checkpoint.path})`);

  // The checkpoint's generator, exported once (and recorded) like `ganmod-trainer export` does.
  const exportRel = `runs/${runId}/export/${checkpointDirName(step)}`;
  const exportDir = store.resolve(exportRel);
  if (!existsSync(`${exportDir}/model.json`)) {
    await exportCheckpointGenerator(checkpointDir, exportDir, {
      runId,
      step,
      model: trainConfig.model,
    });
    await db.artifact.upsert({
      where: { runId_kind_step: { runId, kind: 'EXPORT', step } },
      create: { runId, kind: 'EXPORT', step, path: exportRel, bytes: 0 },
      update: { path: exportRel },
    });
  }
  const generator = await ganCoreGenerator(exportDir);

  // The run's dataset path is checked against the datasets root again before it is read.
  const datasetSpec = await confineDatasetSpec(trainConfig.dataset);
  const { dataset: train } = await loadDataset({
    ...datasetSpec,
    split: 'train',
    limit: config.trainImages,
  });
  if (train.shape.length !== 3)
    throw new Error(
      `run ${runId} trains on ${train.name} (points, not images): no image detector to train`,
    );
  let real: RealImageSet = train;
  let realTest: RealImageSet;
  try {
    realTest = (
      await loadDataset({
        ...datasetSpec,
        split: 'test',
        limit: config.evalSize,
      })
    ).dataset;
  } catch {
    ({ train: real, test: realTest } = splitHeldOut(train));
  }
  log.info(
    {
      detectorModelId: request.id,
      runId,
      step,
      real: real.size,
      realTest: realTest.size,
      ...config,
    },
    'training synthetic-image detector',
  );
  const { trained, evaluation } = await trainSyntheticDetector({
    real,
    realTest,
    generate: generator.generate,
    generatorName: `run ${runId} step ${step} (${trainConfig.model})`,
    steps: config.steps,
    batchSize: config.batchSize,
    evalSize: config.evalSize,
    seed: config.seed,
  });
  try {
    await saveSyntheticModel(store.resolve(request.path), trained, evaluation);
  } finally {
    trained.model.dispose();
  }
  return { ...evaluation, runId, checkpointStep: step, config };
}

/** Claims and trains the oldest PENDING request, if any; returns its final status or null. */
export async function trainNextDetectorRequest(
  db: Db,
  store: ArtifactStore,
  workerId: string,
  log: Logger,
): Promise<'READY' | 'FAILED' | null> {
  const request = await claimDetectorRequest(db, workerId);
  if (request === null) return null;
  log.info({ detectorModelId: request.id, name: request.name }, 'claimed detector request');
  return trainDetectorRequest(db, store, request, log);
}

/** Puts TRAINING requests whose worker stopped heart-beating back to PENDING (logged). */
export async function requeueStaleDetectorTraining(
  db: Db,
  staleAfterMs: number,
  log: Logger,
): Promise<void> {
  const requeued = await requeueStaleDetectorRequests(db, staleAfterMs);
  if (requeued.length > 0)
    log.warn(
      { detectorModelIds: requeued },
      're-queued detector requests whose worker stopped heart-beating',
    );
}

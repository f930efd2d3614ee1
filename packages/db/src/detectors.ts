/**
 * Detector model lifecycle shared by the trainer CLI, the worker and the dashboard: a promotion
 * request (PENDING), its claim by a worker (TRAINING), the end (READY + active, or FAILED), and
 * activation, which keeps at most one active model per kind (and one active moderation policy).
 */
import type { Db, DbTransaction } from './db-types.js';
import type { DetectorKind } from './generated/sqlite/enums.js';
import type { DetectorModel, ModerationPolicy, Prisma } from './generated/sqlite/client.js';

/** Options of {@link requestDetectorPromotion}. */
export interface DetectorPromotionRequest {
  runId: string;
  /** Checkpoint step; default the run's newest CHECKPOINT artifact. */
  step?: number;
  /** Who asked (recorded as `createdById`). */
  createdById?: string | null;
  /** Training options for the worker, stored as the row's `config` (e.g. `{ steps: 150 }`). */
  config?: Prisma.InputJsonObject;
  /** Display name; default `synthetic <run name> @ <step>`. */
  name?: string;
}

/** What {@link requestDetectorPromotion} did. */
export type DetectorPromotionResult =
  | { outcome: 'REQUESTED'; model: DetectorModel }
  /** A PENDING or TRAINING request for the same run and step already exists: nothing new. */
  | { outcome: 'ALREADY_REQUESTED'; model: DetectorModel }
  | { outcome: 'RUN_NOT_FOUND' }
  | { outcome: 'RUN_NOT_SUCCEEDED'; status: string }
  /** The run has no checkpoint (at `step`, when given); `steps` lists the ones it has. */
  | { outcome: 'NO_CHECKPOINT'; steps: number[] };

/**
 * Records a request to train a synthetic-image detector against a run's checkpoint. The worker
 * picks it up ({@link claimDetectorRequest}); nothing heavy happens here, so the dashboard can
 * call it inside a request.
 */
export async function requestDetectorPromotion(
  db: Db,
  request: DetectorPromotionRequest,
): Promise<DetectorPromotionResult> {
  const run = await db.trainingRun.findUnique({
    where: { id: request.runId },
    select: { id: true, name: true, status: true },
  });
  if (run === null) return { outcome: 'RUN_NOT_FOUND' };
  if (run.status !== 'SUCCEEDED') return { outcome: 'RUN_NOT_SUCCEEDED', status: run.status };
  const checkpoints = await db.artifact.findMany({
    where: { runId: run.id, kind: 'CHECKPOINT' },
    orderBy: { step: 'desc' },
    select: { step: true },
  });
  const steps = checkpoints.map((c) => c.step);
  const step = request.step ?? steps[0];
  if (step === undefined || !steps.includes(step)) return { outcome: 'NO_CHECKPOINT', steps };
  const existing = await db.detectorModel.findFirst({
    where: {
      kind: 'SYNTHETIC_IMAGE',
      sourceRunId: run.id,
      sourceStep: step,
      status: { in: ['PENDING', 'TRAINING'] },
    },
  });
  if (existing !== null) return { outcome: 'ALREADY_REQUESTED', model: existing };
  const stamp = new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15);
  const model = await db.detectorModel.create({
    data: {
      kind: 'SYNTHETIC_IMAGE',
      name: request.name ?? `synthetic ${run.name} @ ${step}`,
      sourceRunId: run.id,
      sourceStep: step,
      path: `detectors/synthetic-image/${run.id}-step-${step}-${stamp}`,
      status: 'PENDING',
      ...(request.config ? { config: request.config } : {}),
      createdById: request.createdById ?? null,
    },
  });
  return { outcome: 'REQUESTED', model };
}

/**
 * Claims the oldest PENDING request for `workerId` (one conditional update, so two workers never
 * train the same request). Returns null when there is none.
 */
export async function claimDetectorRequest(
  db: Db,
  workerId: string,
): Promise<DetectorModel | null> {
  const candidates = await db.detectorModel.findMany({
    where: { status: 'PENDING' },
    orderBy: { createdAt: 'asc' },
    take: 5,
    select: { id: true },
  });
  for (const { id } of candidates) {
    const { count } = await db.detectorModel.updateMany({
      where: { id, status: 'PENDING' },
      data: { status: 'TRAINING', workerId, startedAt: new Date(), heartbeatAt: new Date() },
    });
    if (count === 1) return db.detectorModel.findUnique({ where: { id } });
  }
  return null;
}

/** Refreshes a claimed request's heartbeat; false when the claim is no longer this worker's. */
export async function heartbeatDetectorRequest(
  db: Db,
  id: string,
  workerId: string,
): Promise<boolean> {
  const { count } = await db.detectorModel.updateMany({
    where: { id, workerId, status: 'TRAINING' },
    data: { heartbeatAt: new Date() },
  });
  return count === 1;
}

/**
 * Puts TRAINING requests whose worker stopped heart-beating for `staleAfterMs` (killed, machine
 * lost) back to PENDING, so another worker trains them. Returns their ids.
 */
export async function requeueStaleDetectorRequests(
  db: Db,
  staleAfterMs: number,
  now: Date = new Date(),
): Promise<string[]> {
  const cutoff = new Date(now.getTime() - staleAfterMs);
  const stale = await db.detectorModel.findMany({
    where: {
      status: 'TRAINING',
      OR: [{ heartbeatAt: { lt: cutoff } }, { heartbeatAt: null, startedAt: { lt: cutoff } }],
    },
    select: { id: true, heartbeatAt: true },
  });
  const ids: string[] = [];
  for (const r of stale) {
    // Conditional on the heartbeat read: a worker that just heart-beat keeps its claim.
    const { count } = await db.detectorModel.updateMany({
      where: { id: r.id, status: 'TRAINING', heartbeatAt: r.heartbeatAt },
      data: { status: 'PENDING', workerId: null, heartbeatAt: null, startedAt: null },
    });
    if (count === 1) ids.push(r.id);
  }
  return ids;
}

class NotActivatable extends Error {}

/**
 * Makes `id` the only active model of its kind, in one transaction whose first statement is a
 * write: every model of the kind is set inactive, then `id` is set active if it is READY. On SQLite
 * the first write takes the database's write lock (a read first would let two deferred
 * transactions deadlock); on PostgreSQL it locks the kind's rows, so concurrent activations queue
 * up and the later one wins. Never two active models of one kind.
 *
 * @returns false when `id` does not exist or is not READY (nothing changed).
 */
export async function activateDetectorModel(
  db: Db,
  id: string,
  tx?: DbTransaction,
): Promise<boolean> {
  const found = await (tx ?? db).detectorModel.findUnique({
    where: { id },
    select: { kind: true },
  });
  if (found === null) return false;
  const run = async (t: DbTransaction): Promise<void> => {
    await t.detectorModel.updateMany({ where: { kind: found.kind }, data: { active: false } });
    const { count } = await t.detectorModel.updateMany({
      where: { id, status: 'READY' },
      data: { active: true, activatedAt: new Date() },
    });
    if (count !== 1) throw new NotActivatable();
  };
  return activateIn(db, tx, run);
}

/**
 * Runs an activation in `tx`, or in a transaction of its own: true when it went through, false
 * when it threw {@link NotActivatable} (its own transaction is then rolled back).
 */
async function activateIn(
  db: Db,
  tx: DbTransaction | undefined,
  run: (t: DbTransaction) => Promise<void>,
): Promise<boolean> {
  try {
    await (tx ? run(tx) : db.$transaction(run));
    return true;
  } catch (err) {
    if (err instanceof NotActivatable) return false;
    throw err;
  }
}

/** Ends a claimed request READY with its evaluation and activates it, atomically. */
export async function completeDetectorRequest(
  db: Db,
  id: string,
  evaluation: Prisma.InputJsonObject,
): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.detectorModel.update({
      where: { id },
      data: { status: 'READY', evaluation, finishedAt: new Date(), error: null },
    });
    await activateDetectorModel(db, id, tx);
  });
}

/** Ends a claimed request FAILED with the reason. */
export async function failDetectorRequest(db: Db, id: string, error: string): Promise<void> {
  await db.detectorModel.update({
    where: { id },
    data: { status: 'FAILED', error: error.slice(0, 2000), finishedAt: new Date(), active: false },
  });
}

/** The active READY model of a kind, or null. */
export function activeDetectorModel(db: Db, kind: DetectorKind): Promise<DetectorModel | null> {
  return db.detectorModel.findFirst({
    where: { kind, active: true, status: 'READY' },
    orderBy: { activatedAt: 'desc' },
  });
}

/** The active moderation policy (thresholds the worker scores with), or null for the default. */
export function activeModerationPolicy(db: Db): Promise<ModerationPolicy | null> {
  return db.moderationPolicy.findFirst({
    where: { active: true },
    orderBy: { activatedAt: 'desc' },
  });
}

/**
 * Makes a moderation policy the only active one (same write-first scheme as
 * {@link activateDetectorModel}). Returns false when `id` does not exist.
 */
export async function activateModerationPolicy(
  db: Db,
  id: string,
  tx?: DbTransaction,
): Promise<boolean> {
  const run = async (t: DbTransaction): Promise<void> => {
    await t.moderationPolicy.updateMany({ data: { active: false } });
    const { count } = await t.moderationPolicy.updateMany({
      where: { id },
      data: { active: true, activatedAt: new Date() },
    });
    if (count !== 1) throw new NotActivatable();
  };
  return activateIn(db, tx, run);
}

// Runs: launch validated by the shared config schema, cancel / resume / clone, compare.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '~/lib/roles';
import type { SessionUser } from '~/server/auth/session';
import { appRouter } from '~/server/root';
import { createCallerFactory } from '~/server/trpc';
import { createTempDb, PROVIDERS, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

const createCaller = createCallerFactory(appRouter);

describe.each(PROVIDERS)('training runs on %s', (provider) => {
  let t: TempDb;
  let users: Record<Role, SessionUser>;
  let eve: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    t = await createTempDb('runs', provider);
    users = await createRoleUsers(t.db);
    eve = createCaller({ db: t.db, user: users.ENGINEER });
  });
  afterAll(async () => t?.cleanup());

  it('queues a run with the config completed by the schema defaults', async () => {
    const { id } = await eve.runs.create({
      name: 'mnist mlp',
      config: { dataset: { kind: 'mnist' }, model: 'mlp', steps: 300 },
    });
    const run = await t.db.trainingRun.findUniqueOrThrow({ where: { id } });
    expect(run).toMatchObject({
      status: 'QUEUED',
      totalSteps: 300,
      createdById: users.ENGINEER.id,
    });
    expect(run.config).toMatchObject({
      model: 'mlp',
      steps: 300,
      batchSize: 64,
      loss: 'bce',
      lrG: 4e-4,
    });
  });

  it('refuses an invalid config, naming each bad field', async () => {
    const err = await eve.runs
      .create({
        name: 'bad',
        config: { dataset: { kind: 'cifar' }, lrG: 0, batchSize: 1.5, extra: 1 },
      })
      .then(
        () => new Error('accepted'),
        (e: unknown) => e as Error,
      );
    expect(err.message).toMatch(/dataset\.kind/);
    expect(err.message).toMatch(/lrG must be greater than 0/);
    expect(err.message).toMatch(/batchSize must be an integer/);
    expect(err.message).toMatch(/Unrecognized key: "extra"/);
    // Cross-field rules run once the fields themselves are valid.
    await expect(
      eve.runs.create({
        name: 'bad',
        config: { dataset: { kind: 'mnist' }, loss: 'hinge', labelSmoothing: 0.1 },
      }),
    ).rejects.toThrow(/labelSmoothing applies to the bce loss only/);
    expect(await t.db.trainingRun.count({ where: { name: 'bad' } })).toBe(0);
  });

  it('cancels a queued run at once and asks a running one to stop', async () => {
    const queued = await eve.runs.create({ name: 'q', config: { dataset: { kind: 'mnist' } } });
    expect(await eve.runs.cancel({ id: queued.id })).toEqual({ status: 'CANCELLED' });
    const running = await eve.runs.create({ name: 'r', config: { dataset: { kind: 'mnist' } } });
    await t.db.trainingRun.update({
      where: { id: running.id },
      data: { status: 'RUNNING', workerId: 'w1' },
    });
    expect(await eve.runs.cancel({ id: running.id })).toEqual({ status: 'CANCEL_REQUESTED' });
    expect(await t.db.trainingRun.findUniqueOrThrow({ where: { id: running.id } })).toMatchObject({
      status: 'RUNNING',
      cancelRequested: true,
    });
    await expect(eve.runs.cancel({ id: queued.id })).rejects.toThrow(/already ended/);
  });

  it('resumes failed runs and clones any run with its lineage', async () => {
    const run = await eve.runs.create({
      name: 'f',
      config: { dataset: { kind: 'mnist' }, steps: 50 },
    });
    await expect(eve.runs.resume({ id: run.id })).rejects.toThrow(/Only failed or cancelled/);
    await t.db.trainingRun.update({
      where: { id: run.id },
      data: { status: 'FAILED', error: 'NaN loss', step: 20 },
    });
    await eve.runs.resume({ id: run.id });
    expect(await t.db.trainingRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      status: 'QUEUED',
      error: null,
      step: 20,
    });
    const copy = await eve.runs.clone({
      id: run.id,
      config: { dataset: { kind: 'mnist' }, steps: 80 },
    });
    const child = await eve.runs.get({ id: copy.id });
    expect(child).toMatchObject({
      name: 'f (clone)',
      parentRunId: run.id,
      totalSteps: 80,
      status: 'QUEUED',
    });
  });

  it('lists runs with their latest metrics, and compares curves', async () => {
    const a = await eve.runs.create({ name: 'a', config: { dataset: { kind: 'mnist' } } });
    const b = await eve.runs.create({
      name: 'b',
      config: { dataset: { kind: 'mnist' }, loss: 'hinge' },
    });
    await t.db.runMetric.createMany({
      data: [
        { runId: a.id, step: 1, name: 'd', value: 1.4 },
        { runId: a.id, step: 2, name: 'd', value: 1.2 },
        { runId: a.id, step: 2, name: 'g', value: 0.8 },
        { runId: b.id, step: 1, name: 'd', value: 0.9 },
      ],
    });
    const list = await eve.runs.list({});
    expect(list.find((r) => r.id === a.id)?.latest).toEqual({ d: 1.2, g: 0.8 });
    const metrics = await eve.runs.metrics({ id: a.id });
    const after = await eve.runs.metrics({ id: a.id, afterId: metrics[1]!.id });
    expect(after.map((m) => m.name)).toEqual(['g']);
    const cmp = await eve.runs.compare({ ids: [a.id, b.id] });
    expect(cmp.runs).toHaveLength(2);
    expect(cmp.points.filter((p) => p.runId === b.id)).toHaveLength(1);
  });
});

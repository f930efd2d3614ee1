// Models page API: promotion requests (run + checkpoint), their refusals, activation, listing.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '~/lib/roles';
import type { SessionUser } from '~/server/auth/session';
import { appRouter } from '~/server/root';
import { createCallerFactory } from '~/server/trpc';
import { createTempDb, PROVIDERS, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

const createCaller = createCallerFactory(appRouter);

describe.each(PROVIDERS)('detector models on %s', (provider) => {
  let t: TempDb;
  let users: Record<Role, SessionUser>;
  let eve: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    t = await createTempDb('models', provider);
    process.env.GANMOD_ARTIFACTS_DIR = join(t.dir, 'artifacts');
    users = await createRoleUsers(t.db);
    eve = createCaller({ db: t.db, user: users.ENGINEER });
  });
  afterAll(async () => {
    delete process.env.GANMOD_ARTIFACTS_DIR;
    await t?.cleanup();
  });

  async function run(status: 'SUCCEEDED' | 'FAILED', steps: number[]) {
    const r = await t.db.trainingRun.create({
      data: { name: `run-${status}`, config: {}, totalSteps: 10, status },
    });
    for (const step of steps) {
      const path = `runs/${r.id}/checkpoints/${step}`;
      await t.db.artifact.create({
        data: { runId: r.id, kind: 'CHECKPOINT', step, path, bytes: 1 },
      });
      mkdirSync(join(t.dir, 'artifacts', path), { recursive: true });
    }
    return r;
  }

  it('lists succeeded runs with checkpoints as candidates, newest step first', async () => {
    const ok = await run('SUCCEEDED', [100, 200]);
    await run('FAILED', [50]);
    await run('SUCCEEDED', []);
    const candidates = await eve.models.candidates();
    expect(candidates).toEqual([{ id: ok.id, name: ok.name, finishedAt: null, steps: [200, 100] }]);
  });

  it('records a PENDING request for the worker, once per run and step', async () => {
    const r = await run('SUCCEEDED', [10, 20]);
    const first = await eve.models.promote({ runId: r.id, step: 10, trainSteps: 40 });
    expect(first.outcome).toBe('REQUESTED');
    const row = await t.db.detectorModel.findUniqueOrThrow({ where: { id: first.id } });
    expect(row).toMatchObject({
      kind: 'SYNTHETIC_IMAGE',
      status: 'PENDING',
      active: false,
      sourceRunId: r.id,
      sourceStep: 10,
      config: { steps: 40 },
      createdById: users.ENGINEER.id,
    });
    expect(await eve.models.promote({ runId: r.id, step: 10 })).toEqual({
      outcome: 'ALREADY_REQUESTED',
      id: first.id,
    });
    const listed = await eve.models.list();
    expect(listed.find((m) => m.id === first.id)?.sourceRun?.id).toBe(r.id);
  });

  it('refuses unknown runs, unfinished runs and missing checkpoints with a reason', async () => {
    await expect(eve.models.promote({ runId: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const failed = await run('FAILED', [5]);
    await expect(eve.models.promote({ runId: failed.id })).rejects.toThrow(
      /FAILED; only succeeded runs/,
    );
    const r = await run('SUCCEEDED', [5, 15]);
    await expect(eve.models.promote({ runId: r.id, step: 7 })).rejects.toThrow(
      /No checkpoint at step 7; the run has 15, 5/,
    );
    await expect(eve.models.promote({ runId: r.id, trainSteps: 0 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('offers and accepts only checkpoints whose files are still on disk', async () => {
    const r = await run('SUCCEEDED', [30, 60, 90]);
    // gan-core keeps only the newest checkpoints: step 30's files are gone, its row is not.
    rmSync(join(t.dir, 'artifacts', `runs/${r.id}/checkpoints/30`), { recursive: true });
    const candidate = (await eve.models.candidates()).find((c) => c.id === r.id);
    expect(candidate?.steps).toEqual([90, 60]);
    await expect(eve.models.promote({ runId: r.id, step: 30 })).rejects.toThrow(
      /checkpoint 30 are gone .*available: 90, 60/,
    );
    rmSync(join(t.dir, 'artifacts', `runs/${r.id}/checkpoints/90`), { recursive: true });
    const { id } = await eve.models.promote({ runId: r.id });
    expect((await t.db.detectorModel.findUniqueOrThrow({ where: { id } })).sourceStep).toBe(60);
  });

  it('activates READY models only, one per kind', async () => {
    const a = await t.db.detectorModel.create({
      data: { kind: 'SYNTHETIC_IMAGE', name: 'a', path: 'a', status: 'READY', active: true },
    });
    const b = await t.db.detectorModel.create({
      data: { kind: 'SYNTHETIC_IMAGE', name: 'b', path: 'b', status: 'READY' },
    });
    const pending = await t.db.detectorModel.create({
      data: { kind: 'SYNTHETIC_IMAGE', name: 'p', path: 'p', status: 'PENDING' },
    });
    await eve.models.activate({ id: b.id });
    const active = await t.db.detectorModel.findMany({
      where: { kind: 'SYNTHETIC_IMAGE', active: true },
    });
    expect(active.map((m) => m.id)).toEqual([b.id]);
    await expect(eve.models.activate({ id: pending.id })).rejects.toThrow(/Only a READY/);
    expect((await t.db.detectorModel.findUniqueOrThrow({ where: { id: a.id } })).active).toBe(
      false,
    );
  });
});

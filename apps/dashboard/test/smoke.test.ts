import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, migrate, type Db } from '@ganmod/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from './server';

describe('dashboard smoke test (production build, real SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ganmod-dashboard-'));
  const url = `file:${join(dir, 'smoke.db')}`;
  let db: Db;
  let dashboard: RunningDashboard;

  beforeAll(async () => {
    await migrate(url);
    db = createDb(url);
    await db.trainingRun.create({
      data: { name: 'smoke', config: { model: 'mlp' }, status: 'QUEUED', totalSteps: 10 },
    });
    dashboard = await startDashboard({ DATABASE_URL: url, GANMOD_DATA_DIR: dir });
  });

  afterAll(async () => {
    await dashboard?.stop();
    await db?.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the home page', async () => {
    const res = await fetch(dashboard.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('ganmod');
  });

  it('reads the database through tRPC', async () => {
    const res = await fetch(`${dashboard.url}/api/trpc/system.status`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: { runs: number; queued: number } } };
    expect(body.result.data).toMatchObject({ runs: 1, queued: 1 });
  });
});

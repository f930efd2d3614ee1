import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dpSgdEpsilon } from '@ganmod/gan-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type Provider, type TestDatabase } from './databases.js';
import { startCli } from './worker-process.js';

describe.each<Provider>(['sqlite', 'postgres'])('private runs on %s', (provider) => {
  let t: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDatabase(provider);
    dataDir = mkdtempSync(join(tmpdir(), 'ganmod-privacy-'));
    env = { DATABASE_URL: t.url, GANMOD_DATA_DIR: dataDir, GANMOD_BACKEND: 'wasm' };
  });
  afterAll(async () => {
    await t?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('records ε per step, exports (ε, δ) in the metadata and shows ε in runs', async () => {
    const args = ['train', '--model', 'mlp', '--dataset', 'mnist', '--limit', '256'];
    const flags = ['--batch-size', '8', '--steps', '3', '--sample-every', '0', '--ema-decay', '0'];
    const privacy = ['--privacy-noise-multiplier', '1.1', '--privacy-delta', '1e-4'];
    const cli = startCli([...args, ...flags, ...privacy, '--name', 'private'], env);
    expect(await cli.exited, cli.output()).toBe(0);

    const run = await t.db.trainingRun.findFirstOrThrow({ where: { name: 'private' } });
    expect(run.status).toBe('SUCCEEDED');
    const eps = await t.db.runMetric.findMany({
      where: { runId: run.id, name: 'epsilon' },
      orderBy: { step: 'asc' },
    });
    expect(eps.map((m) => m.step)).toEqual([1, 2, 3]);
    eps.forEach((m) => {
      const expected = dpSgdEpsilon({
        sampleRate: 8 / 256,
        noiseMultiplier: 1.1,
        steps: m.step,
        delta: 1e-4,
      }).epsilon;
      expect(m.value).toBeCloseTo(expected, 6);
    });

    const exported = await t.db.artifact.findFirstOrThrow({
      where: { runId: run.id, kind: 'EXPORT' },
    });
    const modelJson = JSON.parse(
      readFileSync(join(dataDir, 'artifacts', exported.path, 'model.json'), 'utf8'),
    ) as { userDefinedMetadata: { ganmod: { privacy?: Record<string, unknown> } } };
    expect(modelJson.userDefinedMetadata.ganmod.privacy).toMatchObject({
      mechanism: 'dp-sgd-d',
      delta: 1e-4,
      noiseMultiplier: 1.1,
      sampleRate: 8 / 256,
      noisedSteps: 3,
    });
    expect(modelJson.userDefinedMetadata.ganmod.privacy?.epsilon).toBeCloseTo(
      eps[2]?.value ?? NaN,
      6,
    );

    const runs = startCli(['runs', '--json'], env);
    expect(await runs.exited, runs.output()).toBe(0);
    const listed = JSON.parse(runs.output().trim().split('\n').at(-1) ?? '[]') as {
      id: string;
      privacy?: { epsilon: number; delta: number };
    }[];
    expect(listed.find((r) => r.id === run.id)?.privacy).toMatchObject({ delta: 1e-4 });
    const human = startCli(['runs'], env);
    expect(await human.exited).toBe(0);
    expect(human.output()).toContain(`ε ${(eps[2]?.value ?? NaN).toFixed(3)} (δ 0.0001)`);
  }, 240_000);

  it('refuses a δ that is not below 1 / dataset size, naming it', async () => {
    const cli = startCli(
      [
        'train',
        '--model',
        'mlp',
        '--dataset',
        'mnist',
        '--limit',
        '256',
        '--steps',
        '2',
        '--privacy-target-epsilon',
        '5',
        '--privacy-delta',
        '0.01',
        '--name',
        'bad-delta',
      ],
      env,
    );
    await cli.exited;
    expect(cli.output()).toMatch(/privacy.delta 0.01 must be below 1 \/ dataset size = 0.00391/);
    const run = await t.db.trainingRun.findFirst({ where: { name: 'bad-delta' } });
    if (run !== null) expect(run.status).toBe('FAILED');
  }, 120_000);
});

// The trainer reads its environment through @ganmod/config, as the dashboard does: the artifact
// root the dashboard serves from is the one the trainer writes to, and a wrong variable stops the
// CLI before any work, named.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { startCli } from './worker-process.js';

describe('the trainer environment', () => {
  let t: TestDatabase;
  let dataDir: string;
  let artifactsDir: string;

  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    dataDir = mkdtempSync(join(tmpdir(), 'ganmod-env-data-'));
    artifactsDir = mkdtempSync(join(tmpdir(), 'ganmod-env-artifacts-'));
  });
  afterAll(async () => {
    await t?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(artifactsDir, { recursive: true, force: true });
  });

  it('writes run artifacts under GANMOD_ARTIFACTS_DIR, not <data>/artifacts', async () => {
    const cli = startCli(
      ['train', '--model', 'mlp', '--steps', '2', '--batch-size', '8', '--sample-every', '2'],
      {
        DATABASE_URL: t.url,
        GANMOD_DATA_DIR: dataDir,
        GANMOD_ARTIFACTS_DIR: artifactsDir,
        GANMOD_BACKEND: 'wasm',
      },
    );
    expect(await cli.exited, cli.output()).toBe(0);
    const run = await t.db.trainingRun.findFirstOrThrow({ include: { artifacts: true } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.artifacts.length).toBeGreaterThan(0);
    // Artifact.path is relative to the store root, which the dashboard resolves the same way.
    for (const artifact of run.artifacts) {
      expect(existsSync(join(artifactsDir, artifact.path)), artifact.path).toBe(true);
    }
    expect(existsSync(join(dataDir, 'artifacts'))).toBe(false);
    expect(readdirSync(artifactsDir)).toContain('runs');
  });

  it.each([
    [{ GANMOD_BACKEND: 'gpu' }, /^ganmod-trainer: GANMOD_BACKEND: .*\(got 'gpu'\)$/m],
    [
      { GANMOD_DATADIR: '/tmp' },
      /^ganmod-trainer: GANMOD_DATADIR: not a ganmod variable \(did you mean GANMOD_DATA_DIR\?\)/m,
    ],
    [{ LOG_LEVEL: 'loud' }, /^ganmod-trainer: LOG_LEVEL: /m],
  ])('refuses %j at start with one line naming it (exit 2)', async (vars, message) => {
    const before = await t.db.trainingRun.count();
    const cli = startCli(['train', '--model', 'mlp', '--steps', '2'], {
      DATABASE_URL: t.url,
      GANMOD_DATA_DIR: dataDir,
      ...vars,
    });
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(message);
    expect(cli.output().trim().split('\n')).toHaveLength(1);
    expect(await t.db.trainingRun.count()).toBe(before);
  });
});

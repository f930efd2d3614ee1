// `sample` draws from a trained run through the built CLI, as an engineer would, and its
// `--truncation` reaches the latents: near zero, every seed draws the same images (G(0)).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { startCli } from './worker-process.js';

describe('trainer sample --truncation', () => {
  let t: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let runId: string;

  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    dataDir = mkdtempSync(join(tmpdir(), 'ganmod-sample-'));
    env = { DATABASE_URL: t.url, GANMOD_DATA_DIR: dataDir, GANMOD_BACKEND: 'wasm' };
    const cli = startCli(
      ['train', '--model', 'mlp', '--steps', '2', '--batch-size', '8', '--sample-every', '0'],
      env,
    );
    expect(await cli.exited, cli.output()).toBe(0);
    runId = (await t.db.trainingRun.findFirstOrThrow()).id;
  });
  afterAll(async () => {
    await t?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const draw = async (name: string, ...flags: string[]): Promise<Buffer> => {
    const out = join(dataDir, `${name}.png`);
    const cli = startCli(['sample', runId, '--n', '4', '-o', out, ...flags], env);
    expect(await cli.exited, cli.output()).toBe(0);
    return readFileSync(out);
  };

  it('draws seed-independent images at a vanishing threshold, and varied ones without', async () => {
    const [plain3, plain4, tight3, tight4] = [
      await draw('plain3', '--seed', '3'),
      await draw('plain4', '--seed', '4'),
      await draw('tight3', '--seed', '3', '--truncation', '1e-9'),
      await draw('tight4', '--seed', '4', '--truncation', '1e-9'),
    ];
    expect(plain3.equals(plain4)).toBe(false);
    expect(tight3.equals(tight4)).toBe(true);
    expect(tight3.equals(plain3)).toBe(false);
  });

  it('refuses a threshold that is not a positive number, naming the flag (exit 2)', async () => {
    for (const bad of ['0', '-1', 'wide']) {
      const cli = startCli(['sample', runId, '--truncation', bad], env);
      expect(await cli.exited).toBe(2);
      expect(cli.output()).toContain(`--truncation must be a number > 0, got '${bad}'`);
    }
  });
});

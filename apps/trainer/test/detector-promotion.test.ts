// Promotion of a run's checkpoint to the active synthetic-image detector, end to end with real
// processes: a worker trains a tiny GAN, the CLI requests a detector, a worker trains and activates
// it, and the content scorer uses (and switches) the active detector.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist } from '@ganmod/datasets';
import { gridPng } from '@ganmod/gan-core';
import * as tf from '@tensorflow/tfjs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, mkdirSync } from 'node:fs';
import { requestDetectorPromotion } from '@ganmod/db';
import { ContentScorer } from '../src/scoring/content-scorer.js';
import { createTestDatabase, type Provider, type TestDatabase } from './databases.js';
import { startCli } from './worker-process.js';

// Each test starts several CLI processes (each loads TF.js and the models): ~8 s alone, but in
// CI beside three other lanes on 2 cores one took over 120 s (vitest's default here), and the
// set-up's training worker once outlasted the 60 s hook bound. A bound on time is not what these
// tests check: tests and hooks get the same generous one.
const processBound = 400_000;

describe.each<Provider>(['sqlite', 'postgres'])(
  'detector promotion on %s',
  { timeout: processBound },
  (provider) => {
    let t: TestDatabase;
    let dataDir: string;
    let env: Record<string, string>;
    let runId: string;
    const log = pino({ level: 'silent' });

    beforeAll(async () => {
      await tf.setBackend('cpu');
      t = await createTestDatabase(provider);
      dataDir = mkdtempSync(join(tmpdir(), 'ganmod-promote-'));
      mkdirSync(join(dataDir, 'uploads'));
      env = { DATABASE_URL: t.url, GANMOD_DATA_DIR: dataDir, GANMOD_BACKEND: 'wasm' };
      const run = await t.db.trainingRun.create({
        data: {
          name: 'tiny',
          totalSteps: 6,
          config: {
            dataset: { kind: 'mnist', limit: 256 },
            model: 'mlp',
            batchSize: 8,
            steps: 6,
            sampleEvery: 0,
            checkpointEvery: 3,
          },
        },
      });
      runId = run.id;
      const worker = startCli(['worker', '--once', '--poll', '200'], env);
      expect(await worker.exited, worker.output()).toBe(0);
    }, processBound);
    afterAll(async () => {
      await t?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });

    async function cli(args: string[]) {
      const p = startCli(['--json', ...args], env);
      const code = await p.exited;
      return { code, output: p.output() };
    }

    /** A pending item with a real 28x28 MNIST digit as a PNG. */
    async function submitDigit(externalId: string) {
      const { dataset } = await loadMnist({ split: 'test', limit: 1 });
      const image = tf.tensor4d(dataset.data.slice(0, 784), [1, 28, 28, 1]);
      const png = gridPng(image, 1);
      image.dispose();
      writeFileSync(join(dataDir, 'uploads', `${externalId}.png`), png);
      return t.db.contentItem.create({
        data: { externalId, caption: 'a digit', imagePath: `uploads/${externalId}.png` },
      });
    }

    it('refuses bad requests with a clear message and exit code', async () => {
      const missing = await cli(['detector', 'promote', 'nope']);
      expect(missing.code).toBe(4);
      expect(missing.output).toMatch(/no run with id 'nope'/);
      const badStep = await cli(['detector', 'promote', runId, '--step', '5']);
      expect(badStep.code).toBe(4);
      expect(badStep.output).toMatch(/no checkpoint at step 5; it has 6, 3/);
      const badSteps = await cli(['detector', 'promote', runId, '--steps', 'many']);
      expect(badSteps.code).toBe(2);
      expect(badSteps.output).toMatch(/--steps must be an integer/);
    });

    // A detector small enough to train in seconds: what every promotion below asks for.
    const smallDetector = ['--steps', '20', '--train-images', '256', '--eval-size', '100'];

    it('a worker trains a requested detector, evaluates it and makes it active; the scorer uses it', async () => {
      const requested = await cli(['detector', 'promote', runId, '--step', '3', ...smallDetector]);
      expect(requested.code, requested.output).toBe(0);
      const { model } = JSON.parse(
        requested.output.split('\n').find((l) => l.startsWith('{'))!,
      ) as {
        model: { id: string; status: string };
      };
      expect(model.status).toBe('PENDING');

      const worker = startCli(['worker', '--once', '--poll', '200'], env);
      expect(await worker.exited, worker.output()).toBe(0);
      const row = await t.db.detectorModel.findUniqueOrThrow({ where: { id: model.id } });
      expect(row, row.error ?? '').toMatchObject({
        status: 'READY',
        active: true,
        sourceRunId: runId,
        sourceStep: 3,
      });
      const evaluation = row.evaluation as Record<string, number>;
      expect(evaluation.realTest).toBe(100);
      expect(evaluation.generatedTest).toBe(100);
      expect(evaluation.checkpointStep).toBe(3);
      for (const key of ['averagePrecision', 'rocAuc', 'precision', 'recall']) {
        expect(evaluation[key]).toBeGreaterThanOrEqual(0);
        expect(evaluation[key]).toBeLessThanOrEqual(1);
      }
      // A generator after 3 steps of 6 makes noise: the detector must separate it from digits.
      expect(evaluation.rocAuc).toBeGreaterThan(0.9);
      const dir = join(dataDir, 'artifacts', row.path);
      for (const f of ['model.json', 'weights.bin', 'detector.json', 'evaluation.json'])
        expect(existsSync(join(dir, f)), f).toBe(true);

      const scorer = new ContentScorer(t.db, dataDir, log);
      const item = await submitDigit('digit-1');
      expect(await scorer.scorePending()).toBe(1);
      const score = await t.db.detectorScore.findUniqueOrThrow({
        where: { itemId_detector: { itemId: item.id, detector: 'synthetic-image' } },
      });
      expect(score.detectorModelId).toBe(model.id);
      expect(score.reason).toMatch(new RegExp(`run ${runId} step 3`));

      // Promote the newer checkpoint in the foreground: it becomes the only active one, and the
      // same scorer switches to it on its next poll.
      const now = await cli(['detector', 'promote', runId, ...smallDetector, '--now']);
      expect(now.code, now.output).toBe(0);
      const active = await t.db.detectorModel.findMany({
        where: { kind: 'SYNTHETIC_IMAGE', active: true },
      });
      expect(active).toHaveLength(1);
      expect(active[0]!.sourceStep).toBe(6);
      const second = await submitDigit('digit-2');
      expect(await scorer.scorePending()).toBe(1);
      const secondScore = await t.db.detectorScore.findUniqueOrThrow({
        where: { itemId_detector: { itemId: second.id, detector: 'synthetic-image' } },
      });
      expect(secondScore.detectorModelId).toBe(active[0]!.id);
    });

    it('a request whose checkpoint files are gone ends FAILED and the active detector stays', async () => {
      const before = await t.db.detectorModel.findFirstOrThrow({
        where: { kind: 'SYNTHETIC_IMAGE', active: true },
      });
      const gone = await t.db.artifact.create({
        data: {
          runId,
          kind: 'CHECKPOINT',
          step: 999,
          path: `runs/${runId}/checkpoints/gone`,
          bytes: 1,
        },
      });
      // The CLI refuses a step whose files are gone, naming the ones that are left...
      const refused = await cli(['detector', 'promote', runId, '--step', String(gone.step)]);
      expect(refused.code).toBe(4);
      expect(refused.output).toMatch(/checkpoint 999 are gone .*available: 6, 3/);
      // ...and a request recorded anyway (e.g. files deleted after the request) fails in the worker.
      const raced = await requestDetectorPromotion(t.db, { runId, step: gone.step });
      expect(raced.outcome).toBe('REQUESTED');
      const pending = await cli(['detector', 'train-pending']);
      expect(pending.code).toBe(1);
      const failed = await t.db.detectorModel.findFirstOrThrow({ where: { sourceStep: 999 } });
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toMatch(/checkpoint files of run .* step 999 are gone/);
      const after = await t.db.detectorModel.findFirstOrThrow({
        where: { kind: 'SYNTHETIC_IMAGE', active: true },
      });
      expect(after.id).toBe(before.id);
      const list = await cli(['detector', 'list']);
      expect(list.code).toBe(0);
      expect(JSON.parse(list.output.split('\n').find((l) => l.startsWith('['))!)).toHaveLength(3);
    });

    it('a request left TRAINING by a dead worker goes back to the queue and another worker trains it', async () => {
      const requested = await cli([
        'detector',
        'promote',
        runId,
        '--step',
        '3',
        '--steps',
        '10',
        '--train-images',
        '256',
        '--eval-size',
        '50',
      ]);
      expect(requested.code, requested.output).toBe(0);
      const row = await t.db.detectorModel.findFirstOrThrow({
        where: { sourceStep: 3, status: 'PENDING' },
      });
      // Claimed by a worker that then died a minute ago (no heartbeat since).
      const minuteAgo = new Date(Date.now() - 60_000);
      await t.db.detectorModel.update({
        where: { id: row.id },
        data: {
          status: 'TRAINING',
          workerId: 'dead',
          startedAt: minuteAgo,
          heartbeatAt: minuteAgo,
        },
      });
      const worker = startCli(['worker', '--once', '--poll', '200', '--stale-after', '5000'], env);
      expect(await worker.exited, worker.output()).toBe(0);
      expect(worker.output()).toMatch(
        /re-queued detector requests whose worker stopped heart-beating/,
      );
      const done = await t.db.detectorModel.findUniqueOrThrow({ where: { id: row.id } });
      expect(done).toMatchObject({ status: 'READY', active: true });
      expect(done.workerId).not.toBe('dead');
    });
  },
);

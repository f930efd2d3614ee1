/**
 * `pnpm bench:quality`: time-to-quality curves. Trains the default MLP, DCGAN and cDCGAN on MNIST
 * (the schema defaults; `--set` overrides a field) and scores the EMA generator at intervals with
 * the project's metric classifier: FID, KID, IS, the share of confidently classified samples
 * (top-class probability >= 0.9) and, for cDCGAN, conditional accuracy, against training time.
 *
 *   node dist/bench/quality.js [--models mlp,dcgan,cdcgan] [--minutes 15] [--eval-minutes 1]
 *        [--steps N --eval-every N] [--n 1000] [--set key=value ...] [--label NAME]
 *        [--out DIR] [--smoke] [--threads N] [--truncation 1,0.7]
 *   node dist/bench/quality.js --plot a.json,b.json [--out DIR] [--label NAME]   (redraw the SVG)
 *
 * Budgets: `--minutes` of training time per model (evaluation time is excluded from the clock and
 * reported apart), or `--steps` (then `--eval-every` steps between scores: the step-based curves
 * used to compare recipes, since wall time on a shared machine is unreliable). `--smoke` is a
 * one-minute budget per model with 500 samples per score, to check that it all runs.
 * Each score prints one table row; the whole curve goes to `<out>/quality-<label>.csv`, `.json`
 * and `.svg` (FID against training minutes)
 * (default out: `<GANMOD_DATA_DIR or ./data>/bench-quality`), with the 1-minute load average
 * beside every row, and the real-vs-real floor (n training images against the same n test images).
 * `--threads N` sets the native kernels' OpenBLAS threads (default: the machine's cores).
 * `--truncation` also scores each listed threshold of BigGAN's truncation trick at every point
 * (rows with a `truncation` value; the plain N(0, I) row, `truncation` empty, is always scored and
 * is the one plotted).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { loadDataset } from '@ganmod/datasets';

import { initBackend, loadNativeAddon } from '../backend/index.js';
import { parseTrainConfig, type ModelKind } from '../config.js';
import { parseSet } from './set-overrides.js';
import { loadEnvironment } from '@ganmod/config';
import { compareEmbeddings, computeReference, evaluateGenerator } from '../metrics/evaluate.js';
import { loadOrTrainFeatureExtractor } from '../metrics/extractor/cache.js';
import { evaluationSampler, generatorSignature } from '../sampling/sample.js';
import { trainValidated } from '../train/trainer.js';
import type { EvalContext } from '../train/types.js';

/** One score of one model's EMA generator. */
export interface CurvePoint {
  label: string;
  model: ModelKind;
  step: number;
  /** Training seconds: wall time since the run started, less the time spent scoring. */
  trainSeconds: number;
  /** Mean wall ms per step since the previous score. */
  msPerStep: number;
  fid: number;
  kid: number;
  is: number;
  confident: number;
  precision: number;
  recall: number;
  conditionalAccuracy: number | null;
  /** Latent truncation threshold of this score; null for plain N(0, I) latents. */
  truncation: number | null;
  evalSeconds: number;
  load1: number;
}

const MODELS = ['mlp', 'dcgan', 'cdcgan'] as const;

function number(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}`);
  return n;
}

/**
 * FID (log scale) against training minutes, one line per model, with the real-vs-real floor and
 * twice it dashed: the time-to-quality figure as a standalone SVG.
 */
export function curveSvg(
  allPoints: readonly CurvePoint[],
  floorFid: number,
  title: string,
): string {
  // Truncated scores are extra rows at the same steps; the curve is the untruncated one.
  const points = allPoints.filter((p) => p.truncation == null);
  const width = 640;
  const height = 400;
  const left = 56;
  const right = 120;
  const top = 32;
  const bottom = 44;
  const maxMin = Math.max(1, ...points.map((p) => p.trainSeconds / 60));
  const fids = [floorFid, ...points.map((p) => p.fid)];
  const lo = Math.log10(Math.max(1, Math.min(...fids) * 0.8));
  const hi = Math.log10(Math.max(...fids) * 1.2);
  const x = (minutes: number): number => left + (minutes / maxMin) * (width - left - right);
  const y = (fid: number): number =>
    top + (1 - (Math.log10(fid) - lo) / (hi - lo)) * (height - top - bottom);
  const colours: Record<string, string> = { mlp: '#1f77b4', dcgan: '#d62728', cdcgan: '#2ca02c' };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="18" font-size="14">${title}</text>`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="black"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="black"/>`,
    `<text x="${(left + width - right) / 2}" y="${height - 8}" text-anchor="middle">training minutes (evaluation excluded)</text>`,
    `<text x="14" y="${(top + height - bottom) / 2}" transform="rotate(-90 14 ${(top + height - bottom) / 2})" text-anchor="middle">FID (log scale)</text>`,
  ];
  for (let m = 0; m <= maxMin; m += maxMin > 10 ? 5 : 1)
    parts.push(
      `<text x="${x(m)}" y="${height - bottom + 16}" text-anchor="middle">${m}</text>`,
      `<line x1="${x(m)}" y1="${height - bottom}" x2="${x(m)}" y2="${height - bottom + 4}" stroke="black"/>`,
    );
  for (const tick of [1, 2, 5, 10, 20, 50, 100, 200, 500]) {
    const lt = Math.log10(tick);
    if (lt < lo || lt > hi) continue;
    parts.push(
      `<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>`,
      `<line x1="${left}" y1="${y(tick)}" x2="${width - right}" y2="${y(tick)}" stroke="#ddd"/>`,
    );
  }
  for (const [fid, name] of [
    [floorFid, 'real vs real'],
    [2 * floorFid, '2 x floor'],
  ] as const)
    parts.push(
      `<line x1="${left}" y1="${y(fid)}" x2="${width - right}" y2="${y(fid)}" stroke="#888" stroke-dasharray="4 3"/>`,
      `<text x="${width - right + 4}" y="${y(fid) + 4}" fill="#555">${name} ${fid.toFixed(1)}</text>`,
    );
  const models = [...new Set(points.map((p) => p.model))];
  models.forEach((model, i) => {
    const line = points.filter((p) => p.model === model);
    const colour = colours[model] ?? '#000';
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${line.map((p) => `${x(p.trainSeconds / 60).toFixed(1)},${y(p.fid).toFixed(1)}`).join(' ')}"/>`,
      ...line.map(
        (p) =>
          `<circle cx="${x(p.trainSeconds / 60).toFixed(1)}" cy="${y(p.fid).toFixed(1)}" r="3" fill="${colour}"/>`,
      ),
      `<text x="${width - right + 4}" y="${top + 14 * (i + 1)}" fill="${colour}">${model}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

const fmt = (v: number | null, digits: number): string => (v === null ? '' : v.toFixed(digits));

async function main(): Promise<void> {
  // `pnpm bench:quality -- --minutes 5` hands the script a leading '--': not a positional.
  const args = process.argv.slice(2);
  if (args[0] === '--') args.shift();
  const { values } = parseArgs({
    args,
    options: {
      models: { type: 'string', default: MODELS.join(',') },
      minutes: { type: 'string' },
      'eval-minutes': { type: 'string' },
      steps: { type: 'string' },
      'eval-every': { type: 'string' },
      n: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      label: { type: 'string' },
      out: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      threads: { type: 'string' },
      plot: { type: 'string' },
      truncation: { type: 'string' },
    },
  });
  if (values.plot !== undefined) {
    // Redraw the figure from earlier runs' JSON files (e.g. one long DCGAN run and a shorter one
    // of the other models) into one SVG.
    const runs = values.plot.split(',').map(
      (file) =>
        JSON.parse(readFileSync(file.trim(), 'utf8')) as {
          floor: { fid: number };
          points: CurvePoint[];
          n: number;
        },
    );
    const target = join(values.out ?? '.', `quality-${values.label ?? 'plot'}.svg`);
    writeFileSync(
      target,
      curveSvg(
        runs.flatMap((r) => r.points),
        runs[0]?.floor.fid ?? 0,
        `FID vs training time (n ${runs[0]?.n ?? ''})`,
      ),
    );
    console.log(`wrote ${target}`);
    return;
  }
  const models = values.models.split(',').map((m) => m.trim());
  for (const m of models)
    if (!(MODELS as readonly string[]).includes(m))
      throw new Error(`--models takes ${MODELS.join(', ')}, got '${m}'`);
  const stepBudget =
    values.steps === undefined ? null : Math.round(number('steps', values.steps, 1));
  if (stepBudget !== null && values.minutes !== undefined)
    throw new Error('give --steps or --minutes, not both');
  const minutes = values.smoke ? 1 : number('minutes', values.minutes ?? '15', 0.05);
  const evalMinutes = number(
    'eval-minutes',
    values['eval-minutes'] ?? (values.smoke ? '0.5' : String(Math.max(0.5, minutes / 15))),
    0.01,
  );
  const evalEvery =
    stepBudget === null
      ? 1
      : Math.round(number('eval-every', values['eval-every'] ?? String(stepBudget), 1));
  const n = Math.round(number('n', values.n ?? (values.smoke ? '500' : '1000'), 10));
  const overrides = parseSet(values.set);
  const truncations: (number | null)[] = [
    null,
    ...(values.truncation ?? '')
      .split(',')
      .filter((t) => t.trim() !== '')
      .map((t) => number('truncation', t.trim(), Number.MIN_VALUE)),
  ];
  const label = values.label ?? (values.smoke ? 'smoke' : 'default');
  const outDir = values.out ?? join(loadEnvironment().dataDir, 'bench-quality');

  const backend = await initBackend({ logger: null });
  // On a loaded machine one OpenBLAS thread trains faster than two fighting for the cores.
  if (values.threads !== undefined && backend.nativeKernels?.active === true)
    loadNativeAddon().module!.setThreads(Math.round(number('threads', values.threads, 1)));
  const [train, test] = await Promise.all([
    loadDataset({ kind: 'mnist' }).then((r) => r.dataset),
    loadDataset({ kind: 'mnist', split: 'test' }).then((r) => r.dataset),
  ]);
  const extractor = await loadOrTrainFeatureExtractor({ train, test, log: console.log });
  const reference = await computeReference(extractor, test, n, 1);
  const floor = await compareEmbeddings(
    reference,
    (await computeReference(extractor, train, n, 3)).embedding,
  );
  console.log(
    `backend ${backend.name}; classifier test accuracy ${(extractor.info.testAccuracy * 100).toFixed(2)}%; ` +
      `budget ${stepBudget === null ? `${minutes} min` : `${stepBudget} steps`} per model; n ${n}; ` +
      `real-vs-real floor (train vs test): FID ${floor.fid.toFixed(2)}, confident ${(floor.confident * 100).toFixed(1)}%, IS ${floor.is.mean.toFixed(2)}; ` +
      `load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' / ')}`,
  );
  console.log(
    'label\tmodel\tstep\ttrain_min\tms/step\ttruncation\tFID\tKID\tIS\tconfident%\tprecision\trecall\tcond_acc\tload1',
  );

  const points: CurvePoint[] = [];
  const write = (): void => {
    mkdirSync(outDir, { recursive: true });
    const keys = Object.keys(points[0] ?? {}) as (keyof CurvePoint)[];
    const csv = [
      keys.join(','),
      ...points.map((p) => keys.map((k) => String(p[k] ?? '')).join(',')),
    ];
    writeFileSync(join(outDir, `quality-${label}.csv`), `${csv.join('\n')}\n`);
    writeFileSync(
      join(outDir, `quality-${label}.svg`),
      curveSvg(points, floor.fid, `FID vs training time (${label}, n ${n})`),
    );
    writeFileSync(
      join(outDir, `quality-${label}.json`),
      `${JSON.stringify({ label, overrides, n, minutes: stepBudget === null ? minutes : null, steps: stepBudget, floor: { fid: floor.fid, confident: floor.confident, is: floor.is.mean }, points }, null, 2)}\n`,
    );
  };

  for (const model of models as ModelKind[]) {
    const config = parseTrainConfig({
      dataset: { kind: 'mnist' },
      model,
      ...overrides,
      steps: stepBudget ?? 10_000_000,
      sampleEvery: 0,
      checkpointEvery: 0,
      evalEvery,
    });
    const controller = new AbortController();
    const started = performance.now();
    let evalMs = 0;
    let lastStep = 0;
    let lastTrainMs = 0;
    let nextEvalMs = evalMinutes * 60_000;
    const budgetMs = minutes * 60_000;
    const onEval = async (context: EvalContext): Promise<void> => {
      const trainMs = performance.now() - started - evalMs;
      if (stepBudget === null) {
        const done = trainMs >= budgetMs;
        if (!done && trainMs < nextEvalMs) return;
        while (nextEvalMs <= trainMs) nextEvalMs += evalMinutes * 60_000;
        if (done) controller.abort();
      }
      const evalStart = performance.now();
      const msPerStep = (trainMs - lastTrainMs) / Math.max(1, context.step - lastStep);
      for (const truncation of truncations) {
        const result = await evaluateGenerator({
          extractor,
          reference,
          dataset: test,
          n,
          conditional: generatorSignature(context.generator).numClasses > 0,
          generate: evaluationSampler(context.generator, undefined, truncation ?? Infinity),
        });
        const point: CurvePoint = {
          label,
          model,
          step: context.step,
          trainSeconds: trainMs / 1000,
          msPerStep,
          fid: result.fid,
          kid: result.kid.mean,
          is: result.is.mean,
          confident: result.confident,
          precision: result.precision,
          recall: result.recall,
          conditionalAccuracy: result.conditionalAccuracy ?? null,
          truncation,
          evalSeconds: result.seconds,
          load1: loadavg()[0] ?? 0,
        };
        points.push(point);
        console.log(
          [
            label,
            model,
            point.step,
            fmt(point.trainSeconds / 60, 2),
            fmt(point.msPerStep, 0),
            fmt(point.truncation, 2),
            fmt(point.fid, 2),
            fmt(point.kid, 3),
            fmt(point.is, 2),
            fmt(point.confident * 100, 1),
            fmt(point.precision, 3),
            fmt(point.recall, 3),
            fmt(point.conditionalAccuracy, 3),
            fmt(point.load1, 2),
          ].join('\t'),
        );
      }
      lastStep = context.step;
      lastTrainMs = trainMs;
      write();
      evalMs += performance.now() - evalStart;
    };
    const result = await trainValidated(config, {
      dataset: train,
      callbacks: { onEval },
      signal: controller.signal,
      backend: 'current',
    });
    if (result.status === 'diverged')
      console.log(`${model}: diverged at step ${result.step} (${result.reason ?? ''})`);
  }
  write();
  console.log(`wrote ${join(outDir, `quality-${label}`)}.csv, .json and .svg`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

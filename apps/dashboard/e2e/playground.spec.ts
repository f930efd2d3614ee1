// The generator playground with a generator exported by a real (short) training run: TF.js loads it
// in Chromium through the authenticated export route and draws it; plus the checkpoint download.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect, test, type Locator, type Page } from './fixtures';
import { EMOJI_CATEGORIES } from '@ganmod/datasets/spec';
import { createDb } from '@ganmod/db';
import { extract } from 'tar-stream';
import { baseURL, trainerBuilt, trainTinyRun, userPage } from './helpers';

interface TrainedRun {
  runId: string;
  artifacts: { kind: string; step: number; path: string }[];
}

let run: TrainedRun;

test.beforeAll(() => {
  test.skip(!trainerBuilt(), 'the trainer is not built (apps/trainer/dist/cli.js)');
  // A conditional DCGAN on MNIST, 4 steps: enough for real exported weights in seconds. Training
  // exports the generator when it ends, as `ganmod-trainer export` would.
  run = trainTinyRun('e2e-playground', 'cdcgan') as TrainedRun;
});

/** Pixel statistics of a canvas, read in the page. */
function canvasStats(canvas: Locator) {
  return canvas.evaluate((el: HTMLCanvasElement) => {
    const { data } = el.getContext('2d')!.getImageData(0, 0, el.width, el.height);
    const values = new Set<number>();
    let min = 255;
    let max = 0;
    for (let i = 0; i < data.length; i += 4) {
      values.add(data[i]!);
      min = Math.min(min, data[i]!);
      max = Math.max(max, data[i]!);
    }
    return { width: el.width, height: el.height, distinct: values.size, min, max };
  });
}

/** Waits until `canvas` has been drawn more than `after` times and the playground is idle. */
async function drawnAfter(page: Page, canvas: Locator, after: number): Promise<string> {
  await expect
    .poll(async () => Number((await canvas.getAttribute('data-version')) ?? 0))
    .toBeGreaterThan(after);
  await expect(page.getByTestId('playground')).toHaveAttribute('data-state', 'ready');
  return canvas.evaluate((el: HTMLCanvasElement) => el.toDataURL());
}

const version = async (canvas: Locator) => Number((await canvas.getAttribute('data-version')) ?? 0);

test('the playground runs an exported conditional generator in the browser', async ({
  browser,
}) => {
  const page = await userPage(browser, 'engineer@ganmod.local');
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`/runs/${run.runId}`);
  await page.getByRole('link', { name: 'Playground', exact: true }).first().click();
  await expect(page).toHaveURL(new RegExp(`/runs/${run.runId}/playground`));

  const playground = page.getByTestId('playground');
  await expect(playground).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  // Headless Chromium has only software WebGL, so the playground runs on WebAssembly, its binaries
  // served by the dashboard (a failed fetch or compile would fall back to 'cpu' and fail here).
  await expect(playground).toHaveAttribute('data-backend', 'wasm');
  await expect(page.getByTestId('playground-info')).toContainText(
    'Latent size 100 · 28×28×1 images · conditional on 10 classes',
  );

  // The fresh export's named GANSpace directions (directions.json), in order, replace random ones.
  const exp = run.artifacts.find((a) => a.kind === 'EXPORT')!;
  const named = JSON.parse(readFileSync(join(exp.path, 'directions.json'), 'utf8')) as {
    directions: { name: string; variance: number }[];
  };
  await expect(page.getByTestId('directions-kind')).toHaveAttribute('data-kind', 'named');
  await expect(page.getByTestId('direction-name')).toHaveText(
    named.directions
      .slice(0, 3)
      .map((d) => `${d.name} · ${(d.variance * 100).toFixed(0)}% of variance`),
  );

  // Samples: a 8×2 grid of 28×28 images scaled ×3, with real (not blank) pixels.
  const samples = page.getByTestId('playground-samples');
  const first = await drawnAfter(page, samples, 0);
  const stats = await canvasStats(samples);
  expect(stats).toMatchObject({ width: 8 * 28 * 3, height: 2 * 28 * 3 });
  expect(stats.max - stats.min).toBeGreaterThan(20);
  expect(stats.distinct).toBeGreaterThan(10);

  // The class picker lists MNIST's classes and changes what is drawn.
  const classPicker = page.getByLabel('Class');
  await expect(classPicker.locator('option')).toHaveText(
    Array.from({ length: 10 }, (_, i) => String(i)),
  );
  let seen = await version(samples);
  await classPicker.selectOption('7');
  const seven = await drawnAfter(page, samples, seen);
  expect(seven).not.toBe(first);

  // A latent direction moves every sample; back at 0 the drawing is the class-7 one again.
  seen = await version(samples);
  await page.getByLabel('Direction 1').fill('2.5');
  const moved = await drawnAfter(page, samples, seen);
  expect(moved).not.toBe(seven);
  seen = await version(samples);
  await page.getByRole('button', { name: 'Reset directions' }).click();
  expect(await drawnAfter(page, samples, seen)).toBe(seven);

  // The same seed draws the same samples; another seed draws others.
  seen = await version(samples);
  await page.getByLabel('Seed', { exact: true }).fill('2');
  const seed2 = await drawnAfter(page, samples, seen);
  expect(seed2).not.toBe(seven);

  // The truncation trick redraws the same seed closer to the typical sample; off restores it.
  const truncation = page.getByLabel('Truncation');
  await expect(truncation.locator('option')).toHaveText([
    'off',
    '± 2',
    '± 1.5',
    '± 1',
    '± 0.7',
    '± 0.5',
  ]);
  seen = await version(samples);
  await truncation.selectOption({ label: '± 0.5' });
  const truncated = await drawnAfter(page, samples, seen);
  expect(truncated).not.toBe(seed2);
  seen = await version(samples);
  await truncation.selectOption({ label: 'off' });
  expect(await drawnAfter(page, samples, seen)).toBe(seed2);

  // Interpolation strip: one image per frame, not blank.
  const strip = page.getByTestId('playground-interpolation');
  seen = await version(strip);
  await page.getByLabel('Frames').selectOption('6');
  await drawnAfter(page, strip, seen);
  const stripStats = await canvasStats(strip);
  expect(stripStats).toMatchObject({ width: 6 * 28 * 3, height: 28 * 3 });
  expect(stripStats.max - stripStats.min).toBeGreaterThan(20);
  expect(errors).toEqual([]);

  // Reported, not asserted: how long the last 16-sample drawing took, on which backend.
  const ms = await page.getByTestId('playground-timing').getAttribute('data-ms');
  const backend = await playground.getAttribute('data-backend');
  console.log(`playground: ${backend} backend, 16 samples generated and drawn in ${ms} ms`);
});

test('export files are served to engineers only, and only the files of the export', async ({
  browser,
}) => {
  const exp = run.artifacts.find((a) => a.kind === 'EXPORT')!;
  const base = `/api/runs/${run.runId}/export/${exp.step}`;
  const engineer = await userPage(browser, 'engineer@ganmod.local');
  const modelJson = await engineer.request.get(`${base}/model.json`);
  expect(modelJson.status()).toBe(200);
  expect(modelJson.headers()['content-type']).toBe('application/json');
  const manifest = (await modelJson.json()) as { weightsManifest: { paths: string[] }[] };
  const weightsName = manifest.weightsManifest[0]!.paths[0]!;
  const weights = await engineer.request.get(`${base}/${weightsName}`);
  expect(weights.status()).toBe(200);
  expect(weights.headers()['content-type']).toBe('application/octet-stream');
  expect((await weights.body()).equals(readFileSync(join(exp.path, weightsName)))).toBe(true);

  // The named latent directions beside model.json are served too.
  const directions = await engineer.request.get(`${base}/directions.json`);
  expect(directions.status()).toBe(200);
  expect(directions.headers()['content-type']).toBe('application/json');
  expect(((await directions.json()) as { directions: unknown[] }).directions).toHaveLength(5);

  // Traversal and unlisted names are refused; so are other roles and anonymous callers.
  expect((await engineer.request.get(`${base}/..%2F..%2F..%2F..%2Fganmod.db`)).status()).toBe(400);
  expect((await engineer.request.get(`${base}/manifest.json`)).status()).toBe(404);
  expect((await engineer.request.get(`/api/runs/${run.runId}/export/99/model.json`)).status()).toBe(
    404,
  );
  expect((await engineer.request.get(`/api/runs/${run.runId}/export/x/model.json`)).status()).toBe(
    400,
  );
  const moderator = await userPage(browser, 'moderator@ganmod.local');
  expect((await moderator.request.get(`${base}/model.json`)).status()).toBe(403);
  expect((await moderator.request.get(`${base}/directions.json`)).status()).toBe(403);
  const anonymous = await browser.newContext({ baseURL: baseURL() });
  expect((await anonymous.request.get(`${base}/model.json`)).status()).toBe(401);

  // The wasm backend's binaries: the installed package's bytes, nothing outside the three names,
  // the same roles as the export.
  const simd = '/api/tfjs-wasm/tfjs-backend-wasm-simd.wasm';
  const binary = await engineer.request.get(simd);
  expect(binary.status()).toBe(200);
  expect(binary.headers()['content-type']).toBe('application/wasm');
  const packageDir = dirname(
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'),
  );
  expect(
    (await binary.body()).equals(
      readFileSync(join(packageDir, 'dist/tfjs-backend-wasm-simd.wasm')),
    ),
  ).toBe(true);
  for (const name of ['tf-backend-wasm.js', '..%2Fpackage.json', 'ganmod.db'])
    expect((await engineer.request.get(`/api/tfjs-wasm/${name}`)).status()).toBe(404);
  expect((await moderator.request.get(simd)).status()).toBe(403);
  expect((await anonymous.request.get(simd)).status()).toBe(401);
  await anonymous.close();
});

test('a checkpoint downloads from the run page as a tar of its files', async ({ browser }) => {
  const checkpoint = run.artifacts.find((a) => a.kind === 'CHECKPOINT')!;
  const page = await userPage(browser, 'engineer@ganmod.local');
  await page.goto(`/runs/${run.runId}`);
  const downloading = page.waitForEvent('download');
  await page
    .getByRole('link', { name: `Download checkpoint at step ${checkpoint.step} (tar)` })
    .click();
  const download = await downloading;
  const folder = `${run.runId}-checkpoint-step-${checkpoint.step}`;
  expect(download.suggestedFilename()).toBe(`${folder}.tar`);

  const entries = new Map<string, Buffer>();
  const tar = extract();
  const reading = (async () => {
    for await (const entry of tar) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      entries.set(entry.header.name, Buffer.concat(chunks));
    }
  })();
  tar.end(readFileSync(await download.path()));
  await reading;

  const onDisk = readdirSync(checkpoint.path).sort();
  expect(onDisk.length).toBeGreaterThan(2);
  expect([...entries.keys()].sort()).toEqual(onDisk.map((f) => `${folder}/${f}`));
  for (const f of onDisk) {
    const bytes = entries.get(`${folder}/${f}`)!;
    expect(bytes.length).toBe(statSync(join(checkpoint.path, f)).size);
    expect(bytes.equals(readFileSync(join(checkpoint.path, f)))).toBe(true);
  }
});

test('a run without an export explains how to make one', async ({ browser }) => {
  const db = createDb(`file:${join(process.env.E2E_DATA_DIR ?? '', 'ganmod.db')}`);
  const bare = await db.trainingRun.create({
    data: { name: 'no-export', config: { model: 'cdcgan' }, totalSteps: 10, status: 'FAILED' },
  });
  const page = await userPage(browser, 'engineer@ganmod.local');
  await page.goto(`/runs/${bare.id}/playground`);
  await expect(page.getByTestId('playground-no-export')).toContainText(
    'no exported generator yet. It has no checkpoint to export either',
  );
  await db.artifact.create({
    data: { runId: bare.id, kind: 'CHECKPOINT', step: 6, path: `runs/${bare.id}/x`, bytes: 0 },
  });
  await page.reload();
  await expect(page.getByTestId('playground-no-export')).toContainText(
    `Export its newest checkpoint (step 6) on a trainer host with pnpm trainer export ${bare.id}`,
  );
  await expect(page.getByTestId('playground')).toHaveCount(0);
  await db.$disconnect();
});

test('a self-conditioned DCGAN export offers its clusters, and a cluster redraws the samples', async ({
  browser,
}) => {
  // The default dcgan on 128 digits: one cluster per 50 images, so 2 clusters.
  const dcgan = trainTinyRun('e2e-self-conditioned', 'dcgan') as TrainedRun;
  const page = await userPage(browser, 'engineer@ganmod.local');
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`/runs/${dcgan.runId}/playground`);
  await expect(page.getByTestId('playground')).toHaveAttribute('data-state', 'ready', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('playground-info')).toContainText(
    'Latent size 100 · 28×28×1 images · self-conditioned on 2 clusters',
  );
  await expect(page.getByLabel('Class')).toHaveCount(0);
  const picker = page.getByLabel('Cluster');
  const options = await picker.locator('option').allTextContents();
  expect(options[0]).toBe('any');
  expect(options.slice(1)).toEqual([
    expect.stringMatching(/^1 · \d+\.\d%$/),
    expect.stringMatching(/^2 · \d+\.\d%$/),
  ]);
  const samples = page.getByTestId('playground-samples');
  const any = await drawnAfter(page, samples, 0);
  let seen = await version(samples);
  await picker.selectOption({ label: options[2]! });
  const second = await drawnAfter(page, samples, seen);
  expect(second).not.toBe(any);
  seen = await version(samples);
  await picker.selectOption({ label: 'any' });
  expect(await drawnAfter(page, samples, seen)).toBe(any);
  expect(errors).toEqual([]);
});

test('an avatar export (resnet-cgan on emoji) draws in colour with the categories as classes', async ({
  browser,
}) => {
  // Training, then two drawings of 16 avatars: longer than the 2-minute default.
  test.setTimeout(300_000);
  // The emoji-avatars preset, 4 steps on 128 emoji: the 64x64 RGB ResNet generator's export.
  const avatars = trainTinyRun('e2e-avatars', 'resnet-cgan') as TrainedRun;
  const page = await userPage(browser, 'engineer@ganmod.local');
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`/runs/${avatars.runId}/playground`);
  await expect(page.getByTestId('playground')).toHaveAttribute('data-state', 'ready', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('playground-info')).toContainText(
    'Latent size 128 · 64×64×3 images · conditional on 10 classes',
  );
  const classPicker = page.getByLabel('Class');
  await expect(classPicker.locator('option')).toHaveText([...EMOJI_CATEGORIES]);

  const samples = page.getByTestId('playground-samples');
  const first = await drawnAfter(page, samples, 0);
  const stats = await canvasStats(samples);
  expect(stats).toMatchObject({ width: 8 * 64 * 3, height: 2 * 64 * 3 });
  expect(stats.max - stats.min).toBeGreaterThan(20);
  // Colour, not grey: some pixels have red and green apart.
  const coloured = await samples.evaluate((el: HTMLCanvasElement) => {
    const { data } = el.getContext('2d')!.getImageData(0, 0, el.width, el.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - data[i + 1]!) > 8) n++;
    return n;
  });
  expect(coloured).toBeGreaterThan(0);
  const seen = await version(samples);
  await classPicker.selectOption('Animals & Nature');
  expect(await drawnAfter(page, samples, seen)).not.toBe(first);
  expect(errors).toEqual([]);
});

test('a conditional VAE export draws its decoder with the digits as classes', async ({
  browser,
}) => {
  // The export is the decoder, in the GAN generator's format: inputs [z, one-hot label].
  const cvae = trainTinyRun('e2e-cvae', 'cvae') as TrainedRun;
  const page = await userPage(browser, 'engineer@ganmod.local');
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`/runs/${cvae.runId}/playground`);
  await expect(page.getByTestId('playground')).toHaveAttribute('data-state', 'ready', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('playground-info')).toContainText(
    '28×28×1 images · conditional on 10 classes',
  );
  const samples = page.getByTestId('playground-samples');
  const first = await drawnAfter(page, samples, 0);
  const stats = await canvasStats(samples);
  expect(stats).toMatchObject({ width: 8 * 28 * 3, height: 2 * 28 * 3 });
  expect(stats.max - stats.min).toBeGreaterThan(20);
  const seen = await version(samples);
  await page.getByLabel('Class').selectOption('7');
  expect(await drawnAfter(page, samples, seen)).not.toBe(first);
  expect(errors).toEqual([]);
});

import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generatorFromCheckpoint } from '../src/checkpoint/index.js';
import { configMismatches } from '../src/checkpoint/read.js';
import { parseTrainConfig } from '../src/config.js';
import { ExportError, exportGenerator, loadGenerator } from '../src/export/index.js';
import { buildGenerator } from '../src/models/index.js';
import { sample } from '../src/sampling/index.js';
import { train } from '../src/train/trainer.js';
import { mnist, setupBackend, tempDir } from './gan-helpers.js';

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await setupBackend();
  ({ dir: root, cleanup } = await tempDir('export'));
});
afterAll(() => cleanup());

/** A fetch that serves files from `dir`, standing in for a browser fetching a static site. */
function staticFetch(dir: string) {
  return async (url: string | URL | Request): Promise<Response> => {
    const href = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
    const path = new URL(href).pathname.split('/').pop() ?? '';
    try {
      return new Response(await readFile(join(dir, path)), { status: 200 });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
}

describe('generator export (TF.js Layers format)', () => {
  it('exports a trained EMA generator that reloads with identical outputs, in Node and via the browser loader', async () => {
    const dataset = await mnist();
    const ckpt = join(root, 'ckpt');
    const result = await train(
      { dataset: { kind: 'mnist' }, model: 'cdcgan', batchSize: 10, steps: 1, sampleEvery: 0 },
      { dataset, checkpointDir: ckpt },
    );
    const generator = await generatorFromCheckpoint(result.checkpoint ?? '');
    const dir = join(root, 'generator');
    const metadata = await exportGenerator(generator, dir, { step: 1 });
    expect(metadata).toMatchObject({
      latentDim: 100,
      numClasses: 10,
      imageShape: [28, 28, 1],
      step: 1,
    });

    const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(modelJson['format']).toBe('layers-model');
    expect(modelJson['weightsManifest']).toEqual([
      { paths: ['group1-shard1of1.bin'], weights: expect.any(Array) as unknown },
    ]);

    const expected = sample(generator, { n: 4, seed: 3, label: [0, 3, 5, 9] });
    const { model: fromNode } = await loadGenerator(dir);
    const viaNode = sample(fromNode, { n: 4, seed: 3, label: [0, 3, 5, 9] });
    // What a browser runs: tf.loadLayersModel over HTTP, fetching model.json and the .bin it names.
    const fromBrowser = await tf.loadLayersModel(
      tf.io.http('https://cdn.example/gen/model.json', { fetchFunc: staticFetch(dir) }),
    );
    const viaBrowser = sample(fromBrowser, { n: 4, seed: 3, label: [0, 3, 5, 9] });
    expect(Array.from(viaNode.dataSync())).toEqual(Array.from(expected.dataSync()));
    expect(Array.from(viaBrowser.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([expected, viaNode, viaBrowser]);
    [generator, fromNode, fromBrowser].forEach((m) => m.dispose());
  }, 60_000);

  it('narrower networks (generatorWidth, discriminatorWidth) checkpoint, rebuild and export at their width', async () => {
    const dataset = await mnist();
    const config = {
      dataset: { kind: 'mnist' },
      model: 'dcgan',
      generatorWidth: 0.125,
      discriminatorWidth: 0.5,
      latentDim: 8,
      batchSize: 8,
      steps: 1,
      sampleEvery: 0,
    } as const;
    const result = await train(config, { dataset, checkpointDir: join(root, 'narrow') });
    const generator = await generatorFromCheckpoint(result.checkpoint ?? '');
    // 7x7x32 then 16 and 8 channels: built at the checkpoint's width, or its weights would not load.
    // The default self-conditioning on 512 digits: 10 clusters, a frozen 8 -> 9 code concatenated
    // with z, so the first dense layer reads 8 + 9 values.
    expect(generator.countParams()).toBe(
      8 * 9 + 9 + (8 + 9) * 1568 + 4 * 1568 + 32 * 16 * 25 + 4 * 16 + 16 * 8 * 25 + 4 * 8 + 8 * 25,
    );
    const dir = join(root, 'narrow-export');
    await exportGenerator(generator, dir, { step: 1 });
    const { model } = await loadGenerator(dir);
    const a = sample(generator, { n: 2, seed: 1 });
    const b = sample(model, { n: 2, seed: 1 });
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
    [generator, model].forEach((m) => m.dispose());
    // The width shapes the trajectory: a resume at another width is refused by name. (`clusters`
    // as train() records it in a dcgan checkpoint.)
    const parsed = parseTrainConfig({ ...config, clusters: 30 });
    expect(configMismatches(parsed, { ...parsed, generatorWidth: 0.25 })).toEqual([
      'generatorWidth',
    ]);
    const { discriminatorWidth: _, ...standardD } = parsed;
    expect(configMismatches(parsed, standardD)).toEqual(['discriminatorWidth']);
    expect(configMismatches(parsed, parsed)).toEqual([]);
    expect(() => parseTrainConfig({ ...config, model: 'resnet-cgan' })).toThrow(
      /generatorWidth: generatorWidth scales the DCGAN networks of dcgan, cdcgan, vae, cvae: model resnet-cgan has none/,
    );
    expect(() => parseTrainConfig({ ...config, generatorWidth: 9 })).toThrow(
      /generatorWidth must be between 0.0625 and 8/,
    );
  }, 60_000);

  it('refuses an export whose weights were corrupted or removed', async () => {
    const generator = buildGenerator('dcgan', { shape: [28, 28, 1], latentDim: 8 });
    const dir = join(root, 'broken');
    await exportGenerator(generator, dir);
    generator.dispose();
    const bin = join(dir, 'group1-shard1of1.bin');
    const bytes = await readFile(bin);
    bytes[10] = (bytes[10] ?? 0) ^ 0x55;
    await writeFile(bin, bytes);
    await expect(loadGenerator(dir)).rejects.toThrow(ExportError);
    await expect(loadGenerator(dir)).rejects.toThrow(/do not match the sha256 in model\.json/);
    await rm(bin);
    await expect(loadGenerator(dir)).rejects.toThrow(
      /missing weights file .*group1-shard1of1\.bin/,
    );
    await expect(loadGenerator(join(root, 'nowhere'))).rejects.toThrow(/cannot read .*model\.json/);
  });
});

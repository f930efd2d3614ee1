import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resampleImage } from '@ganmod/gan-core';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createExplicitDetector, explicitScore } from '../src/detectors/explicit.js';
import {
  loadNsfwClassifier,
  NSFW_CLASSES,
  type NsfwProbabilities,
} from '../src/nsfw/classifier.js';
import { convertNsfwModel } from '../src/nsfw/convert.js';
import { loadSetPhoto, photoSet } from '../src/eval/photo-set.js';
import { decodeBytes } from '../src/pdq/image.js';
import { emojiPhoto, mnistPng } from './fixtures.js';

describe('NSFW model from the nsfwjs package', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'nsfw-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('converts the bundled MobileNetV2 into model.json + weights.bin', () => {
    const bytes = convertNsfwModel('mobilenet_v2', tmp);
    const json = JSON.parse(readFileSync(join(tmp, 'model.json'), 'utf8')) as {
      weightsManifest: { paths: string[] }[];
    };
    expect(json.weightsManifest.map((g) => g.paths)).toEqual([['weights.bin']]);
    expect(existsSync(join(tmp, 'weights.bin'))).toBe(true);
    expect(statSync(join(tmp, 'weights.bin')).size).toBe(bytes);
    expect(bytes).toBeGreaterThan(2_000_000);
  });

  it('loads once and classifies drawings and digits as Drawing or Neutral', async () => {
    const classifier = await loadNsfwClassifier();
    expect(await loadNsfwClassifier()).toBe(classifier); // singleton
    const images = await Promise.all([
      emojiPhoto('1f600.png').then(decodeBytes),
      emojiPhoto('1f431.png').then(decodeBytes),
      emojiPhoto('1f3e0.png').then(decodeBytes),
      mnistPng(0).then(decodeBytes),
    ]);
    const probs = await classifier.classify(images, 2);
    expect(probs).toHaveLength(4);
    for (const p of probs) {
      const sum = NSFW_CLASSES.reduce((s, c) => s + p[c], 0);
      expect(sum).toBeCloseTo(1, 3);
      const top = [...NSFW_CLASSES].sort((a, b) => p[b] - p[a])[0];
      expect(['Drawing', 'Neutral']).toContain(top);
      expect(explicitScore(p)).toBeLessThan(0.3);
    }
  });

  it('gives each image the same probabilities whatever its batch, calls overlapping or not', async () => {
    // The input array is reused from batch to batch: a bigger batch after a smaller one, a
    // smaller one after it, and two classify() calls started together must not mix images up.
    const classifier = await loadNsfwClassifier();
    const { banked } = photoSet();
    const photos = await Promise.all(
      banked.slice(0, 5).map((p) => loadSetPhoto(p).then(decodeBytes)),
    );
    const images = [
      ...photos,
      await emojiPhoto('1f600.png').then(decodeBytes),
      await mnistPng(3).then(decodeBytes),
    ];
    const alone: NsfwProbabilities[] = [];
    for (const image of images) alone.push(...(await classifier.classify([image])));
    // The head's sums depend on the batch size in the last bits: equal within 1e-6.
    const same = (got: NsfwProbabilities[]) => {
      expect(got).toHaveLength(alone.length);
      got.forEach((p, i) => NSFW_CLASSES.forEach((c) => expect(p[c]).toBeCloseTo(alone[i]![c], 6)));
    };
    same(await classifier.classify(images, 3));
    same(await classifier.classify(images, 7));
    const [first, second] = await Promise.all([
      classifier.classify(images.slice(0, 4), 2),
      classifier.classify(images.slice(4), 1),
    ]);
    same([...first, ...second]);
    // Different images really get different probabilities (the check above can fail).
    expect(new Set(alone.map((p) => p.Neutral.toFixed(6))).size).toBeGreaterThan(3);
  });

  it('reports every class in the detector reason', async () => {
    const [r] = await createExplicitDetector().detect([
      { externalId: 'e', image: await decodeBytes(await emojiPhoto('1f600.png')) },
    ]);
    for (const c of NSFW_CLASSES) expect(r!.reason).toContain(c);
    expect(r!.details).toHaveProperty('probabilities');
  });

  it('scores by the documented combination', () => {
    expect(
      explicitScore({ Drawing: 0, Hentai: 0.2, Neutral: 0.1, Porn: 0.5, Sexy: 0.2 }),
    ).toBeCloseTo(0.8);
    expect(explicitScore({ Drawing: 0, Hentai: 0, Neutral: 0, Porn: 0, Sexy: 1 })).toBe(0.5);
  });
});

describe('the NSFW input resample', () => {
  it('stays within a grey level of sharp’s linear kernel on real photos', async () => {
    const { banked } = photoSet();
    for (const photo of [banked[0]!, banked[2]!, banked[5]!]) {
      const image = await decodeBytes(await loadSetPhoto(photo));
      const ours = resampleImage(image, 224, 224);
      const theirs = await sharp(image.data, {
        raw: { width: image.width, height: image.height, channels: 3 },
      })
        .resize(224, 224, { fit: 'fill', kernel: 'linear' })
        .raw()
        .toBuffer();
      let sum = 0;
      for (let i = 0; i < ours.length; i++) sum += Math.abs(ours[i]! - theirs[i]!);
      expect(sum / ours.length).toBeLessThan(1.5);
    }
  });
});

// The explicit detector on real, harmless photographs from Debian packages (installed by `npm test`
// as root): ordinary photos must not be blocked, and at most 1% of them may go to review.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benignCounts, scoreBenignPhotos } from '../src/eval/explicit-benign.js';
import {
  BENIGN_EXTRA_SOURCES,
  BENIGN_PHOTO_PACKAGES,
  PHOTO_SET_DIR,
  benignPhotos,
} from '../src/eval/photo-set.js';
import { skinFraction } from '../src/nsfw/skin.js';
import { decodeBytes } from '../src/pdq/image.js';

const installed = [PHOTO_SET_DIR, ...BENIGN_EXTRA_SOURCES].every((p) => existsSync(p));
const title = installed
  ? 'explicit detector on benign real photos'
  : `explicit detector on benign real photos (SKIPPED: apt-get install ${BENIGN_PHOTO_PACKAGES.join(' ')})`;

it('is installed by the test runner: scripts/system.mjs lists every package of the benign set', () => {
  const system = readFileSync(new URL('../../../scripts/system.mjs', import.meta.url), 'utf8');
  const listed = /PHOTO_SET_PACKAGES = \[([^\]]*)\]/.exec(system)?.[1] ?? '';
  for (const pkg of BENIGN_PHOTO_PACKAGES) expect(listed).toContain(`'${pkg}'`);
});

const photo = (name: string) => benignPhotos().find((p) => p.endsWith(`/${name}`))!;

describe.skipIf(!installed)(title, () => {
  it('finds skin on a portrait and none on the wood and flower photos nsfwjs calls Porn', async () => {
    const skin = async (name: string) => skinFraction(await decodeBytes(readFileSync(photo(name))));
    expect(await skin('grace_hopper.jpg')).toBeGreaterThan(0.1);
    expect(await skin('Wood.jpg')).toBeLessThan(0.01);
    expect(await skin('YellowFlower.jpg')).toBeLessThan(0.01);
    expect(await skin('mahogany-handjob-1.jpg')).toBeLessThan(0.01);
  });

  it(
    'blocks none of the benign photos and reviews at most 1%, where nsfwjs alone flagged several',
    { timeout: 600_000 },
    async () => {
      const paths = benignPhotos();
      expect(paths.length).toBeGreaterThanOrEqual(60);
      const scores = await scoreBenignPhotos({
        paths,
        views: ['original', 'crop 80% centre', 'grayscale'],
      });
      const counts = benignCounts(scores);
      const flagged = scores
        .filter((s) => s.after !== 'ALLOW')
        .map((s) => `${s.after} ${s.score.toFixed(2)} ${s.path} (${s.view})`);
      expect(counts.images).toBe(paths.length * 3);
      // The set holds the hard cases: scored on nsfwjs' classes alone, some are flagged.
      expect(counts.before.review + counts.before.block).toBeGreaterThan(0);
      expect(counts.after.block, flagged.join('\n')).toBe(0);
      expect(counts.after.review / counts.images, flagged.join('\n')).toBeLessThanOrEqual(0.01);
    },
  );
});

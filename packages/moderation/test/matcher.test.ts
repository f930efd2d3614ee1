/**
 * The staged matcher on real photographs from Debian's wallpaper packages (installed by the repo's
 * `npm test` as root; photoSet() names the packages when they are missing).
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentRegions } from '../src/bank/band-trim.js';
import { DCT_MATCH_SIMILARITY, DCT_SIGNATURE_ALGORITHM } from '../src/bank/dct-signature.js';
import { HashBank } from '../src/bank/hash-bank.js';
import {
  PROFILE_HEX_LENGTH,
  PROFILE_SIGNATURE_ALGORITHM,
  parseProfileSignature,
  profileSignature,
  profileSignatureHex,
  profileSimilarity,
} from '../src/bank/profile-signature.js';
import { addImageToBank, bankHashesFor, matchImage } from '../src/bank/matcher.js';
import {
  BENIGN_VIEWS,
  PHOTO_EDITS,
  loadSetPhoto,
  photoSet,
  type SetPhoto,
} from '../src/eval/photo-set.js';
import type { RgbImage } from '../src/input/decode.js';
import { decodeBytes, pdqFromImage } from '../src/pdq/image.js';

const set = photoSet();
const byName = (photos: SetPhoto[], name: string) => {
  const p = photos.find((x) => x.id.endsWith(name));
  if (!p) throw new Error(`${name} is not in the photo set`);
  return p;
};
const bank = new HashBank();
const banked: { photo: SetPhoto; png: Buffer; image: RgbImage; quality: number }[] = [];
// Ordinary photos plus every low-detail one, so the second signals are exercised: MATE's Stripes
// (fine vertical stripes, PDQ quality ~63), Spring (white shapes on dark grey) and a photo whose
// sky and lamps clip when brightened.
const chosen = [
  'mate/nature/YellowFlower.jpg',
  'Dragonfly_by_Bolly.jpg',
  'goldfish.png',
  'mate/desktop/Stripes.png',
  'mate/abstract/Spring.png',
  'free_by_Peter_Nerlich.jpg',
];
const STRIPES = 'mate/desktop/Stripes.png';

beforeAll(async () => {
  for (const photo of set.banked) {
    const png = await loadSetPhoto(photo);
    const image = await decodeBytes(png);
    const { quality } = await pdqFromImage(image);
    if (!chosen.some((c) => photo.id.endsWith(c)) && quality >= 50) continue;
    banked.push({ photo, png, image, quality });
    await addImageToBank(bank, image, { label: 'known', source: photo.id });
  }
}, 60_000);

async function sourcesOf(bytes: Buffer): Promise<string[]> {
  return (await matchImage(bank, await decodeBytes(bytes))).matches.map((m) => m.row.source);
}

describe('staged matcher on real photos', () => {
  it('matches a rotated, a captioned and a 20%-cropped copy of a banked photo', async () => {
    const photo = banked.find((b) => b.photo.id.endsWith(chosen[0]!))!;
    const rotated = await PHOTO_EDITS['rotate 90']!(photo.png, 0);
    const captioned = await PHOTO_EDITS['caption band']!(photo.png, 1);
    // Anchor index 1: a window off the bank's crop grid (15% / 20% of the slack).
    const cropped = await PHOTO_EDITS['crop 20%']!(photo.png, 1);
    const meta = await sharp(cropped).metadata();
    expect((meta.width * meta.height) / (photo.image.width * photo.image.height)).toBeCloseTo(
      0.8,
      1,
    );
    for (const copy of [rotated, captioned, cropped])
      expect(await sourcesOf(copy)).toContain(photo.photo.id);
    const report = await matchImage(bank, await decodeBytes(captioned));
    expect(report.matches[0]!.stage).toBe('pdq-trimmed');
  });

  it('matches a copy with meme text over it and a phone-screenshot copy', async () => {
    const photo = banked.find((b) => b.photo.id.endsWith(chosen[0]!))!;
    for (const edit of ['text overlay', 'screenshot border']) {
      const copy = await PHOTO_EDITS[edit]!(photo.png, 0);
      expect(await sourcesOf(copy)).toContain(photo.photo.id);
    }
  });

  it('matches nothing for unrelated photos, as given and edited', async () => {
    for (const name of ['mate/nature/Storm.jpg', 'Kleiber_by_Lukas_Baubkus.jpg']) {
      const png = await loadSetPhoto(byName(set.unrelated, name));
      expect(await sourcesOf(png)).toEqual([]);
      expect(await sourcesOf(await PHOTO_EDITS['caption band']!(png, 0))).toEqual([]);
      expect(await sourcesOf(await PHOTO_EDITS['rotate 90']!(png, 0))).toEqual([]);
    }
  });

  it('matches a low-detail banked image after JPEG and resize through its DCT signature', async () => {
    const low = banked.filter((b) => b.quality < 50);
    expect(low.length).toBeGreaterThan(0);
    for (const b of low) {
      const { width } = await sharp(b.png).metadata();
      const copy = await sharp(b.png)
        .resize(Math.round(width * 0.6))
        .jpeg({ quality: 60 })
        .toBuffer();
      const report = await matchImage(bank, await decodeBytes(copy));
      expect(report.matches.map((m) => m.row.source)).toContain(b.photo.id);
      expect(report.matches[0]!.stage).toBe('dct-signature');
    }
  });
});

describe('low-detail pictures: the DCT threshold', () => {
  it('does not match a quarter crop of a dark unrelated photo to a near-black banked one', async () => {
    // The benign set's one false match at the old threshold (0.9): the top-left quarter of Fossa
    // (PDQ quality ~8) against umang's DCT signature at cosine ~0.91.
    const fossa = byName(set.unrelated, 'Fossa_by_Jasper_Roks.jpg');
    const quarter = await decodeBytes(await BENIGN_VIEWS['crop 25% top-left']!(fossa.path));
    const loose = await matchImage(bank, quarter, { minSimilarity: 0.9 });
    expect(loose.matches[0]).toMatchObject({ stage: 'dct-signature' });
    expect(loose.matches[0]!.row.source).toMatch(/umang/);
    expect(loose.matches[0]!.similarity).toBeLessThan(DCT_MATCH_SIMILARITY);
    expect((await matchImage(bank, quarter)).matches).toEqual([]);
  });
});

describe('low-detail pictures: the profile signal', () => {
  it('matches Stripes after JPEG and resize, mirrored and captioned, through its profile signature', async () => {
    const b = banked.find((x) => x.photo.id === STRIPES)!;
    const { width } = await sharp(b.png).metadata();
    const resaved = await sharp(b.png)
      .resize(Math.round(width * 0.6))
      .jpeg({ quality: 60 })
      .toBuffer();
    // PDQ alone: a JPEG re-save of fine stripes moves the hash far past the threshold.
    const pdq = await pdqFromImage(await decodeBytes(resaved));
    const report = await matchImage(bank, await decodeBytes(resaved));
    expect(report.matches.map((m) => m.row.source)).toEqual([STRIPES]);
    expect(report.matches[0]!.stage).toBe('profile');
    expect(report.matches[0]!.similarity).toBeGreaterThan(0.95);
    expect(pdq.quality).toBeGreaterThan(50);
    for (const edit of ['mirror', 'caption band', 'rotate 90']) {
      const copy = await PHOTO_EDITS[edit]!(b.png, 1);
      // Some of these land within PDQ's threshold of several of Stripes' crop rows: one source.
      expect([...new Set(await sourcesOf(copy))]).toEqual([STRIPES]);
    }
  });

  it('matches nothing for unrelated photos, wood grain included, through the profile stage', async () => {
    for (const name of [
      'mate/nature/Wood.jpg',
      'Fossa_by_Jasper_Roks.jpg',
      'mate/abstract/Silk.png',
    ]) {
      const png = await loadSetPhoto(byName(set.unrelated, name));
      for (const bytes of [
        png,
        await PHOTO_EDITS['jpeg q50']!(png, 0),
        await PHOTO_EDITS['rotate 90']!(png, 0),
      ]) {
        const report = await matchImage(bank, await decodeBytes(bytes));
        expect(report.stages).toContain('profile');
        expect(report.matches).toEqual([]);
      }
    }
  });

  it('matches Spring inside a phone-screenshot frame and a brightened photo with clipped highlights', async () => {
    const spring = banked.find((x) => x.photo.id === 'mate/abstract/Spring.png')!;
    expect(await sourcesOf(await PHOTO_EDITS['screenshot border']!(spring.png, 0))).toContain(
      spring.photo.id,
    );
    const lit = banked.find((x) => x.photo.id === 'free_by_Peter_Nerlich.jpg')!;
    const brightened = await matchImage(
      bank,
      await decodeBytes(await PHOTO_EDITS['brightness +25%']!(lit.png, 0)),
    );
    expect(brightened.matches[0]).toMatchObject({
      stage: 'pdq',
      row: { source: lit.photo.id, variant: 'bright130' },
    });
  });

  it('profileSimilarity finds a crop, a mirror and a quarter turn of the same profiles', async () => {
    const b = banked.find((x) => x.photo.id === STRIPES)!;
    const stored = parseProfileSignature(profileSignatureHex(profileSignature(b.image)));
    const cropped = profileSignature(b.image, {
      left: Math.round(b.image.width * 0.08),
      top: 0,
      width: Math.round(b.image.width * 0.9),
      height: b.image.height,
    });
    expect(profileSimilarity(stored, cropped).similarity).toBeGreaterThan(0.97);
    const turned = await decodeBytes(await sharp(b.png).rotate(90).png().toBuffer());
    expect(profileSimilarity(stored, profileSignature(turned)).similarity).toBeGreaterThan(0.97);
    const mirrored = await decodeBytes(await sharp(b.png).flop().png().toBuffer());
    expect(profileSimilarity(stored, profileSignature(mirrored))).toMatchObject({
      transform: 'flipHorizontal',
    });
    expect(() =>
      profileSignature(b.image, { left: 10, top: 0, width: b.image.width, height: 5 }),
    ).toThrow(/not inside/);
  });
});

describe('low-detail pictures: close PDQ below the quality floor', () => {
  it('matches a 20% crop of a smooth aurora design (PDQ quality < 50) only within 20 bits', async () => {
    const b = banked.find((x) => x.photo.id.endsWith('Ubuntu-Mate-Radioactive-no-logo.png'))!;
    expect(b.quality).toBeLessThan(50);
    // Anchor 4 of the crop edit (30% / 80% of the slack), as the evaluation cuts this photo.
    const report = await matchImage(
      bank,
      await decodeBytes(await PHOTO_EDITS['crop 20%']!(b.png, 4)),
    );
    expect(report.quality).toBeLessThan(50);
    expect(report.matches[0]).toMatchObject({ stage: 'pdq-low-detail' });
    expect(report.matches[0]!.row.source).toMatch(/Ubuntu-Mate-.*-no-logo/);
    expect(report.matches[0]!.distance).toBeLessThanOrEqual(20);
    // A flat, dark unrelated picture (quality < 50 as well) is nowhere near.
    const fossa = await loadSetPhoto(byName(set.unrelated, 'Fossa_by_Jasper_Roks.jpg'));
    const unrelated = await matchImage(bank, await decodeBytes(fossa));
    expect(unrelated.quality).toBeLessThan(50);
    expect(unrelated.stages).toContain('pdq-low-detail');
    expect(unrelated.matches).toEqual([]);
  });
});

describe('bankHashesFor', () => {
  it('stores crops and a strip, plus DCT signatures only for low-detail pictures', async () => {
    for (const b of banked) {
      const hashes = await bankHashesFor(b.image);
      expect(hashes[0]).toMatchObject({ algorithm: 'pdq', variant: 'original' });
      expect(hashes.some((h) => h.variant === 'crop90@17,83')).toBe(true);
      expect(hashes.some((h) => h.variant === 'strip')).toBe(true);
      const signatures = hashes.filter((h) => h.algorithm === DCT_SIGNATURE_ALGORITHM);
      expect(signatures.some((h) => h.variant === 'original')).toBe(b.quality < 60);
      expect(signatures.every((h) => h.quality < 60 && h.hash.length === 512)).toBe(true);
      const profiles = hashes.filter((h) => h.algorithm === PROFILE_SIGNATURE_ALGORITHM);
      expect(profiles.every((h) => h.quality < 80 && h.hash.length === PROFILE_HEX_LENGTH)).toBe(
        true,
      );
      // Stripes and Spring carry structure in their profiles; the smooth low-detail designs do not.
      if (b.photo.id === STRIPES || b.photo.id.endsWith('Spring.png'))
        expect(profiles).toHaveLength(1);
      if (b.quality >= 80) expect(profiles).toEqual([]);
    }
  });

  it('round-trips signatures through rows and refuses a malformed one', () => {
    const copy = HashBank.fromRows(bank.toRows());
    expect(copy.size).toBe(bank.size);
    expect(copy.signatureCount).toBe(bank.signatureCount);
    expect(copy.signatureCount).toBeGreaterThan(0);
    expect(copy.profileCount).toBe(bank.profileCount);
    expect(copy.profileCount).toBeGreaterThan(0);
    expect(() =>
      copy.addRow({ hash: 'ab', algorithm: PROFILE_SIGNATURE_ALGORITHM, label: 'x', source: 'y' }),
    ).toThrow(/516 hex digits/);
    expect(() =>
      copy.addRow({ hash: 'ab', algorithm: DCT_SIGNATURE_ALGORITHM, label: 'x', source: 'y' }),
    ).toThrow(/512 hex digits/);
  });
});

describe('contentRegions', () => {
  it('finds the picture inside a caption band and a screenshot frame', async () => {
    const b = banked.find((x) => x.photo.id.endsWith(chosen[0]!))!;
    const captioned = await decodeBytes(await PHOTO_EDITS['caption band']!(b.png, 0));
    const region = contentRegions(captioned)[0]!;
    const band = captioned.height - b.image.height * (captioned.width / b.image.width);
    expect(Math.abs(region.top - band)).toBeLessThanOrEqual(3);
    expect(region.height).toBeGreaterThan(captioned.height - band - 4);
    expect(contentRegions(b.image)).toEqual([]);
  });
});

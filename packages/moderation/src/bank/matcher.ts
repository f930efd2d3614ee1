/**
 * The near-duplicate matcher: what to store for a known image ({@link bankHashesFor}) and how to
 * look an upload up ({@link matchImage}), in stages that run only while the earlier ones have no
 * answer:
 *
 * 1. `pdq`: the upload's PDQ and its 7 other dihedral hashes (rotations, mirrors; free from the
 *    DCT) against the multi-index bank. The bank stores, per image, the hash of the whole picture
 *    and of central and anchored crops, so a rotated, mirrored or cropped copy lands here.
 * 2. `pdq-trimmed`: when the upload has flat bands at its edges (meme caption, screenshot chrome),
 *    the picture inside them is hashed and looked up the same way.
 * 3. `pdq-strip`: the upload's middle rows and middle columns, for meme text over the picture.
 * 4. `dct-signature`: for low-detail pictures (PDQ quality < 50), whose hash bits JPEG flips, the
 *    DCT coefficients are compared by cosine similarity with the bank's low-detail signatures.
 * 5. `pdq-low-detail`: PDQ pairs the earlier stages ignored because one side is below the quality
 *    floor, accepted only within {@link LOW_DETAIL_DISTANCE} bits.
 * 6. `profile`: the upload's (and the trimmed pictures') row and column luminance profiles against
 *    the bank's profile signatures of low-detail pictures whose profiles carry structure (fine
 *    stripes, a band of shapes), which survive resampling where PDQ bits and the DCT do not.
 */
import type { RgbImage } from '../input/decode.js';
import { type Hash256, hammingDistance, hashToHex } from '../pdq/hash256.js';
import { pdqFromImageSync, type Region } from '../pdq/image.js';
import {
  type DihedralTransform,
  DIHEDRAL_TRANSFORMS,
  PDQ_MATCH_DISTANCE,
  PDQ_MIN_QUALITY,
  type PdqResult,
  dihedralHashes,
} from '../pdq/pdq.js';
import { contentRegions } from './band-trim.js';
import {
  DCT_MATCH_SIMILARITY,
  DCT_SIGNATURE_ALGORITHM,
  dctQueryVariants,
  dctSignatureHex,
} from './dct-signature.js';
import type { BankVariant, HashAlgorithm, HashBank, HashBankRow } from './hash-bank.js';
import {
  PROFILE_MATCH_CORRELATION,
  PROFILE_MIN_DETAIL,
  PROFILE_SIGNATURE_ALGORITHM,
  profileDetail,
  profileSignature,
  profileSignatureHex,
} from './profile-signature.js';

/** One hash to store for a known image; add `label` and `source` to make a {@link HashBankRow}. */
export interface BankHash {
  hash: string;
  algorithm: HashAlgorithm;
  variant: BankVariant;
  /** PDQ quality of the hashed picture (0..100). */
  quality: number;
}

/**
 * Stored crops: share of each side kept, and anchors (x, y in % of the slack). PDQ moves past its
 * threshold when a crop's window is off by ~2% of the side, so 90% crops (81% of the area) sit on
 * a 5 x 5 grid of anchors and 95% crops on a 3 x 3 one.
 */
const CROPS: readonly { keep: number; anchors: readonly number[] }[] = [
  { keep: 0.975, anchors: [0, 50, 100] },
  { keep: 0.95, anchors: [0, 50, 100] },
  { keep: 0.9, anchors: [0, 100 / 6, 100 / 3, 50, 200 / 3, 500 / 6, 100] },
];

/**
 * The middle rows (20%..80% of the height, full width) are hashed too: meme text sits above and
 * below them. An upload's middle columns are looked up as well, for rotated memes.
 */
const STRIP = { from: 0.2, to: 0.8 } as const;
/**
 * A brightened re-upload clips the highlights, which moves PDQ by up to ~50 bits on a picture with
 * large pale areas (a lit sky, lamps), so the bank also stores the picture with every channel
 * multiplied by this gain and clipped, when that hash is {@link BRIGHT_MIN_DISTANCE} bits or more
 * from the original's. Measured on the photo set: gains 1.25-1.35 all bring a +25% brightness
 * edit of such a picture within 8 bits.
 */
const BRIGHT_GAIN = 1.3;
const BRIGHT_MIN_DISTANCE = 16;
/** Bank images below this quality also get a DCT signature (PDQ is unstable from ~50 down). */
const SIGNATURE_BELOW_QUALITY = 60;
/**
 * PDQ distance accepted when the upload or the bank row is below the quality floor (the
 * `pdq-low-detail` stage). Measured on the photo set: copies of the low-detail banked designs
 * (crops, JPEG) lie 6-18 bits from a row of theirs when they are not caught earlier, while low-quality
 * negatives lie at least 84 bits from every low-quality row.
 */
const LOW_DETAIL_DISTANCE = 20;
/** Uploads below this quality also try the DCT stage (edits shift quality by a few points). */
const SIGNATURE_QUERY_BELOW_QUALITY = 70;
/**
 * Bank images below this quality also get a profile signature when their profiles carry detail
 * ({@link PROFILE_MIN_DETAIL}): PDQ of fine stripes moves ~40 bits under a JPEG re-save even at
 * quality 60-80.
 */
const PROFILE_BELOW_QUALITY = 80;
/** The profile stage reads the upload and its first few trimmed pictures (the most complete). */
const PROFILE_REGIONS = 3;

function strip(image: RgbImage, vertical: boolean): Region {
  const side = vertical ? image.width : image.height;
  const from = Math.round(side * STRIP.from);
  const length = Math.max(1, Math.round(side * STRIP.to) - from);
  return vertical
    ? { left: from, top: 0, width: length, height: image.height }
    : { left: 0, top: from, width: image.width, height: length };
}

function anchoredRegion(image: RgbImage, keep: number, ax: number, ay: number): Region {
  const width = Math.max(1, Math.round(image.width * keep));
  const height = Math.max(1, Math.round(image.height * keep));
  return {
    left: Math.round(((image.width - width) * ax) / 100),
    top: Math.round(((image.height - height) * ay) / 100),
    width,
    height,
  };
}

/**
 * Every hash a bank should store for one known image: the PDQ of the picture, of its 97.5%, 95% and
 * 90% crops on grids of anchors, of its middle rows and, when highlights clip, of a brightened copy,
 * plus a DCT signature of the picture and of the middle rows when they are low-detail (quality < 60)
 * and a luminance profile signature of the picture when it is below quality 80 and its profiles
 * carry structure.
 * Rotations and mirrors are not stored: {@link matchImage} queries all dihedral variants.
 */
export function bankHashesForSync(image: RgbImage): BankHash[] {
  const pdq = pdqFromImageSync(image);
  const out: BankHash[] = [
    { hash: hashToHex(pdq.hash), algorithm: 'pdq', variant: 'original', quality: pdq.quality },
  ];
  const seen = new Set([out[0]!.hash]);
  const add = (variant: BankVariant, result: PdqResult) => {
    const hex = hashToHex(result.hash);
    if (seen.has(hex)) return;
    seen.add(hex);
    out.push({ hash: hex, algorithm: 'pdq', variant, quality: result.quality });
  };
  for (const { keep, anchors } of CROPS) {
    const name = Math.round(keep * 100);
    for (const ax of anchors) {
      for (const ay of anchors) {
        add(
          ax === 50 && ay === 50
            ? `crop${name}`
            : `crop${name}@${Math.round(ax)},${Math.round(ay)}`,
          pdqFromImageSync(image, anchoredRegion(image, keep, ax, ay)),
        );
      }
    }
  }
  const middle = pdqFromImageSync(image, strip(image, false));
  add('strip', middle);
  // A plain loop: Uint8Array.from with a map callback was the slowest part of banking an image.
  const brightData = new Uint8Array(image.data.length);
  for (let k = 0; k < brightData.length; k++)
    brightData[k] = Math.min(255, Math.round(image.data[k]! * BRIGHT_GAIN));
  const bright = pdqFromImageSync({ ...image, data: brightData });
  if (hammingDistance(bright.hash, pdq.hash) >= BRIGHT_MIN_DISTANCE)
    add(`bright${Math.round(BRIGHT_GAIN * 100)}`, bright);
  for (const [variant, result] of [
    ['original', pdq],
    ['strip', middle],
  ] as const) {
    if (result.quality >= SIGNATURE_BELOW_QUALITY) continue;
    out.push({
      hash: dctSignatureHex(result.dct),
      algorithm: DCT_SIGNATURE_ALGORITHM,
      variant,
      quality: result.quality,
    });
  }
  if (pdq.quality < PROFILE_BELOW_QUALITY) {
    const profile = profileSignature(image);
    if (profileDetail(profile) >= PROFILE_MIN_DETAIL) {
      out.push({
        hash: profileSignatureHex(profile),
        algorithm: PROFILE_SIGNATURE_ALGORITHM,
        variant: 'original',
        quality: pdq.quality,
      });
    }
  }
  return out;
}

/** {@link bankHashesForSync} behind a promise (the hashing used to run in sharp). */
export function bankHashesFor(image: RgbImage): Promise<BankHash[]> {
  try {
    return Promise.resolve(bankHashesForSync(image));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/** Adds {@link bankHashesFor}'s hashes of `image` to an in-memory bank; returns how many. */
export async function addImageToBank(
  bank: HashBank,
  image: RgbImage,
  meta: { label: string; source: string },
): Promise<number> {
  const hashes = await bankHashesFor(image);
  for (const h of hashes) bank.addRow({ ...h, ...meta });
  return hashes.length;
}

/** The stage that answered. */
export type MatchStage =
  'pdq' | 'pdq-trimmed' | 'pdq-strip' | 'dct-signature' | 'pdq-low-detail' | 'profile';

/** One match of an upload. */
export interface ImageMatch {
  row: HashBankRow;
  stage: MatchStage;
  /** The transform of the upload that matched (`rotate90`: the upload turned 90° matches). */
  transform: DihedralTransform;
  /** Hamming distance (PDQ stages). */
  distance?: number;
  /** Cosine similarity (DCT stage) or the smaller profile correlation (profile stage). */
  similarity?: number;
  /** 1 for an exact copy, falling towards 0 at the threshold. */
  score: number;
}

/** What {@link matchImage} found. */
export interface MatchReport {
  /** PDQ hex of the upload as given. */
  hash: string;
  quality: number;
  /** The picture inside flat edge bands, when the trimmed stage ran and found bands. */
  trimmed?: Region;
  /** Stages that ran, in order. */
  stages: MatchStage[];
  /** Closest first; empty when nothing matched. */
  matches: ImageMatch[];
}

/** Options of {@link matchImage}. */
export interface MatchOptions {
  /** Hamming distance counted as a PDQ match; PDQ's 31 by default. */
  maxDistance?: number;
  /** Cosine similarity counted as a DCT-signature match. */
  minSimilarity?: number;
  /** Profile correlation counted as a profile-signature match. */
  minProfileCorrelation?: number;
  /** PDQ hashes (upload or bank) below this quality are not matched by PDQ (default 50). */
  minQuality?: number;
}

/** An upload's dihedral hashes, derived once: the low-detail stage queries the same pictures again. */
const variantsCache = new WeakMap<PdqResult, [DihedralTransform, Hash256][]>();

function queryPdq(
  bank: HashBank,
  pdq: PdqResult,
  stage: MatchStage,
  maxDistance: number,
  minQuality: number,
): ImageMatch[] {
  const lowDetail = stage === 'pdq-low-detail';
  if (pdq.quality < minQuality && !lowDetail) return [];
  let variants = variantsCache.get(pdq);
  if (!variants) {
    variants = [...dihedralHashes(pdq, DIHEDRAL_TRANSFORMS)];
    variantsCache.set(pdq, variants);
  }
  const detailed = (quality: number | undefined) => quality === undefined || quality >= minQuality;
  return (
    bank
      .queryAny(
        variants.map(([, hash]) => hash),
        maxDistance,
      )
      // A flat picture's PDQ bits are noise: two unrelated gradients can hash alike. Such pairs
      // are left to the low-detail stage, which asks for a much closer hash.
      .filter((m) =>
        lowDetail ? !(detailed(m.row.quality) && detailed(pdq.quality)) : detailed(m.row.quality),
      )
      .map((m) => ({
        row: m.row,
        stage,
        transform: variants[m.query]![0],
        distance: m.distance,
        score: 1 - m.distance / (maxDistance + 1),
      }))
  );
}

/**
 * Looks an upload up in the bank, stage by stage (see the module comment); later stages run only
 * when the earlier ones found nothing.
 */
export function matchImageSync(
  bank: HashBank,
  image: RgbImage,
  options: MatchOptions = {},
): MatchReport {
  const maxDistance = options.maxDistance ?? PDQ_MATCH_DISTANCE;
  const minSimilarity = options.minSimilarity ?? DCT_MATCH_SIMILARITY;
  const minQuality = options.minQuality ?? PDQ_MIN_QUALITY;
  const pdq = pdqFromImageSync(image);
  const report: MatchReport = {
    hash: hashToHex(pdq.hash),
    quality: pdq.quality,
    stages: ['pdq'],
    matches: queryPdq(bank, pdq, 'pdq', maxDistance, minQuality),
  };
  if (report.matches.length > 0) return report;
  const pictures: PdqResult[] = [pdq];
  const regions = contentRegions(image);
  if (regions.length > 0) report.stages.push('pdq-trimmed');
  for (const region of regions) {
    const inner = pdqFromImageSync(image, region);
    pictures.push(inner);
    report.matches = queryPdq(bank, inner, 'pdq-trimmed', maxDistance, minQuality);
    if (report.matches.length > 0) {
      report.trimmed = region;
      return report;
    }
  }
  report.stages.push('pdq-strip');
  for (const vertical of [false, true]) {
    const middle = pdqFromImageSync(image, strip(image, vertical));
    pictures.push(middle);
    report.matches = queryPdq(bank, middle, 'pdq-strip', maxDistance, minQuality);
    if (report.matches.length > 0) return report;
  }
  if (bank.signatureCount > 0) {
    const low = pictures.filter((p) => p.quality < SIGNATURE_QUERY_BELOW_QUALITY);
    if (low.length > 0) {
      report.stages.push('dct-signature');
      const best = new Map<HashBankRow, ImageMatch>();
      for (const p of low) {
        for (const m of bank.querySignatures(dctQueryVariants(p.dct), minSimilarity)) {
          const prior = best.get(m.row);
          if (prior && prior.similarity! >= m.similarity) continue;
          best.set(m.row, {
            row: m.row,
            stage: 'dct-signature',
            transform: m.transform,
            similarity: m.similarity,
            score: (m.similarity - minSimilarity) / (1 - minSimilarity) || 1e-3,
          });
        }
      }
      report.matches = [...best.values()].sort((a, b) => b.similarity! - a.similarity!);
      if (report.matches.length > 0) return report;
    }
  }
  report.stages.push('pdq-low-detail');
  for (const p of pictures) {
    report.matches = queryPdq(bank, p, 'pdq-low-detail', LOW_DETAIL_DISTANCE, minQuality);
    if (report.matches.length > 0) return report;
  }
  if (bank.profileCount === 0) return report;
  report.stages.push('profile');
  const minCorrelation = options.minProfileCorrelation ?? PROFILE_MATCH_CORRELATION;
  const profiles = [
    profileSignature(image),
    ...regions.slice(0, PROFILE_REGIONS).map((r) => profileSignature(image, r)),
  ];
  report.matches = bank.queryProfiles(profiles, minCorrelation).map((m) => ({
    row: m.row,
    stage: 'profile',
    transform: m.transform,
    similarity: m.similarity,
    score: (m.similarity - minCorrelation) / (1 - minCorrelation) || 1e-3,
  }));
  return report;
}

/**
 * {@link matchImageSync} behind a promise (the hashing used to run in sharp). It runs to the end
 * without yielding, so one upload's regions share their luma and shrunk rows even when a batch's
 * matches are started together.
 */
export function matchImage(
  bank: HashBank,
  image: RgbImage,
  options: MatchOptions = {},
): Promise<MatchReport> {
  try {
    return Promise.resolve(matchImageSync(bank, image, options));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

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
 * 3. `dct-signature`: for low-detail pictures (PDQ quality < 50), whose hash bits JPEG flips, the
 *    DCT coefficients are compared by cosine similarity with the bank's low-detail signatures.
 */
import type { RgbImage } from '../input/decode.js';
import { type Hash256, hashToHex } from '../pdq/hash256.js';
import { pdqFromImage, type Region } from '../pdq/image.js';
import {
  type DihedralTransform,
  DIHEDRAL_TRANSFORMS,
  PDQ_MATCH_DISTANCE,
  PDQ_MIN_QUALITY,
  type PdqResult,
  dihedralHashes,
} from '../pdq/pdq.js';
import { contentRegion } from './band-trim.js';
import {
  DCT_MATCH_SIMILARITY,
  DCT_SIGNATURE_ALGORITHM,
  dctQueryVariants,
  dctSignatureHex,
} from './dct-signature.js';
import type { BankVariant, HashAlgorithm, HashBank, HashBankRow } from './hash-bank.js';

/** One hash to store for a known image; add `label` and `source` to make a {@link HashBankRow}. */
export interface BankHash {
  hash: string;
  algorithm: HashAlgorithm;
  variant: BankVariant;
  /** PDQ quality of the hashed picture (0..100). */
  quality: number;
}

/** Share of each side kept by the anchored crops (0.9 x 0.9 = 81% of the area). */
const ANCHORED_CROP_KEEP = 0.9;
/** Anchors (x, y in %) of the stored crops: corners and edge midpoints. */
const CROP_ANCHORS: readonly (readonly [number, number])[] = [
  [0, 0],
  [100, 0],
  [0, 100],
  [100, 100],
  [50, 0],
  [50, 100],
  [0, 50],
  [100, 50],
];
/** Central crops stored (share of each side kept). */
const CENTRAL_CROPS: readonly number[] = [0.95, 0.9];

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
 * Every hash a bank should store for one known image: the PDQ of the picture, of two central crops
 * and of eight anchored 90% crops (11 PDQ rows), plus a DCT signature when the picture is low-detail.
 * Rotations and mirrors are not stored: {@link matchImage} queries all dihedral variants.
 */
export async function bankHashesFor(image: RgbImage): Promise<BankHash[]> {
  const pdq = await pdqFromImage(image);
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
  for (const keep of CENTRAL_CROPS)
    add(`crop${Math.round(keep * 100)}`, await pdqFromImage(image, { keep }));
  const keep = Math.round(ANCHORED_CROP_KEEP * 100);
  for (const [ax, ay] of CROP_ANCHORS) {
    add(
      `crop${keep}@${ax},${ay}`,
      await pdqFromImage(image, anchoredRegion(image, ANCHORED_CROP_KEEP, ax, ay)),
    );
  }
  if (pdq.quality < PDQ_MIN_QUALITY) {
    out.push({
      hash: dctSignatureHex(pdq.dct),
      algorithm: DCT_SIGNATURE_ALGORITHM,
      variant: 'original',
      quality: pdq.quality,
    });
  }
  return out;
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
export type MatchStage = 'pdq' | 'pdq-trimmed' | 'dct-signature';

/** One match of an upload. */
export interface ImageMatch {
  row: HashBankRow;
  stage: MatchStage;
  /** The transform of the upload that matched (`rotate90`: the upload turned 90° matches). */
  transform: DihedralTransform;
  /** Hamming distance (PDQ stages). */
  distance?: number;
  /** Cosine similarity (DCT stage). */
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
  /** Hashes of the upload below this quality use the DCT stage too (default 50). */
  lowQuality?: number;
}

function queryPdq(
  bank: HashBank,
  pdq: PdqResult,
  maxDistance: number,
  stage: MatchStage,
): ImageMatch[] {
  const best = new Map<HashBankRow, ImageMatch>();
  for (const [transform, hash] of dihedralHashes(pdq, DIHEDRAL_TRANSFORMS) as Map<
    DihedralTransform,
    Hash256
  >) {
    for (const m of bank.query(hash, maxDistance)) {
      const prior = best.get(m.row);
      if (prior && prior.distance! <= m.distance) continue;
      best.set(m.row, {
        row: m.row,
        stage,
        transform,
        distance: m.distance,
        score: 1 - m.distance / (maxDistance + 1),
      });
    }
  }
  return [...best.values()].sort((a, b) => a.distance! - b.distance!);
}

/**
 * Looks an upload up in the bank, stage by stage (see the module comment); later stages run only
 * when the earlier ones found nothing.
 */
export async function matchImage(
  bank: HashBank,
  image: RgbImage,
  options: MatchOptions = {},
): Promise<MatchReport> {
  const maxDistance = options.maxDistance ?? PDQ_MATCH_DISTANCE;
  const minSimilarity = options.minSimilarity ?? DCT_MATCH_SIMILARITY;
  const lowQuality = options.lowQuality ?? PDQ_MIN_QUALITY;
  const pdq = await pdqFromImage(image);
  const report: MatchReport = {
    hash: hashToHex(pdq.hash),
    quality: pdq.quality,
    stages: ['pdq'],
    matches: queryPdq(bank, pdq, maxDistance, 'pdq'),
  };
  if (report.matches.length > 0) return report;
  const pictures: PdqResult[] = [pdq];
  const region = contentRegion(image);
  if (region) {
    const inner = await pdqFromImage(image, region);
    pictures.push(inner);
    report.trimmed = region;
    report.stages.push('pdq-trimmed');
    report.matches = queryPdq(bank, inner, maxDistance, 'pdq-trimmed');
    if (report.matches.length > 0) return report;
  }
  if (bank.signatureCount === 0) return report;
  const low = pictures.filter((p) => p.quality < lowQuality);
  if (low.length === 0) return report;
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
  return report;
}

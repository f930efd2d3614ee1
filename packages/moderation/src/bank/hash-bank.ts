/**
 * In-memory bank of known PDQ hashes. PDQ hashes are found through gan-core's multi-index Hamming
 * search (`hammingSearch`: 16 chunk indexes of 16 bits, native where the addon is built); the
 * low-detail signals (DCT and profile signatures) are scanned, since only low-detail pictures
 * carry them.
 */
import { type HammingIndex, buildHammingIndex, hammingSearch } from '@ganmod/gan-core';
import { ModerationConfigError } from '../errors.js';
import {
  DCT_MATCH_SIMILARITY,
  DCT_SIGNATURE_ALGORITHM,
  dctSimilarity,
  parseDctSignature,
} from './dct-signature.js';
import {
  PROFILE_MATCH_CORRELATION,
  PROFILE_SIGNATURE_ALGORITHM,
  type ProfileSignature,
  type StoredProfile,
  parseProfileSignature,
  profileSimilarity,
} from './profile-signature.js';
import { type Hash256, hashFromHex, hashToHex, popcount32 } from '../pdq/hash256.js';
import {
  type DihedralTransform,
  PDQ_MATCH_DISTANCE,
  type PdqResult,
  dihedralHashes,
} from '../pdq/pdq.js';

/** Plain row for persistence (the DB's `HashBankEntry`, a JSON file, ...). */
export interface HashBankRow {
  /** 64-digit PDQ hex, or for `algorithm: 'pdq-dct16'` the 512-digit DCT signature, or for
   * `luma-profile128` the 516-digit luminance profile signature. */
  hash: string;
  /** `pdq` when absent; `pdq-dct16` and `luma-profile128` are second signals for low-detail
   * pictures (see `dct-signature.ts`, `profile-signature.ts`). */
  algorithm?: HashAlgorithm;
  /** PDQ quality (0..100) of the hashed image, when known. */
  quality?: number;
  /** Category of the known content, e.g. `csam`, `terror`, `copyright`, `spam-meme`. */
  label: string;
  /** Where the entry came from (case id, file name, partner list). */
  source: string;
  /** Which variant of the source image this hash is; absent means `original`. */
  variant?: BankVariant;
}

/** One bank hit. */
export interface HashBankMatch {
  row: HashBankRow;
  distance: number;
}

/** One hit of the low-detail signal. */
export interface DctSignatureMatch {
  row: HashBankRow;
  /** Cosine similarity, 1 for the same DCT. */
  similarity: number;
  /** The query transform that matched. */
  transform: DihedralTransform;
}

/** One hit of the profile signal. */
export interface ProfileSignatureMatch {
  row: HashBankRow;
  /** The smaller correlation of the compared profiles (1 for the same picture). */
  similarity: number;
  /** The query transform that matched. */
  transform: DihedralTransform;
}

/** What a row's `hash` holds. */
export type HashAlgorithm =
  'pdq' | typeof DCT_SIGNATURE_ALGORITHM | typeof PROFILE_SIGNATURE_ALGORITHM;

/**
 * A dihedral transform, a central crop (`crop95` keeps the middle 95% of each side) or an anchored
 * one (`crop90@0,100`: 90% of each side, anchored at 0% across and 100% down), the middle rows
 * (`strip`), or the picture brightened with clipped highlights (`bright130`: every channel x1.3).
 */
export type BankVariant =
  | DihedralTransform
  | `crop${number}`
  | `crop${number}@${number},${number}`
  | 'strip'
  | `bright${number}`;

/** Variants stored by default: mirrored copies are a common evasion, rotations are rarer. */
export const DEFAULT_BANK_VARIANTS: readonly DihedralTransform[] = [
  'original',
  'flipHorizontal',
  'flipVertical',
];

/**
 * Fast lookup of near-identical images by PDQ hash.
 *
 * Adds are O(1); the index is rebuilt lazily (O(n), counting sort) on the first query after enough
 * adds, and the few entries added since are scanned linearly.
 */
export class HashBank {
  private words = new Uint32Array(8 * 1024);
  private rows: HashBankRow[] = [];
  private index: HammingIndex | undefined;
  private signatures: { row: HashBankRow; vector: Float32Array }[] = [];
  private profiles: { row: HashBankRow; profile: StoredProfile }[] = [];

  /** Number of stored PDQ hashes (variants count separately; DCT signatures do not). */
  get size(): number {
    return this.rows.length;
  }

  /** Number of stored low-detail DCT signatures. */
  get signatureCount(): number {
    return this.signatures.length;
  }

  /** Number of stored luminance profile signatures. */
  get profileCount(): number {
    return this.profiles.length;
  }

  /** Adds one hash row. @throws {@link ModerationConfigError} on a malformed hash or empty label. */
  addRow(row: HashBankRow): void {
    if (typeof row.label !== 'string' || row.label.trim() === '') {
      throw new ModerationConfigError(`Hash bank row needs a non-empty label (hash ${row.hash})`);
    }
    const meta = {
      label: row.label,
      source: row.source,
      ...(row.variant && row.variant !== 'original' ? { variant: row.variant } : {}),
      ...(row.quality === undefined ? {} : { quality: row.quality }),
    };
    if (row.algorithm === DCT_SIGNATURE_ALGORITHM) {
      const vector = parseDctSignature(row.hash);
      this.signatures.push({
        row: { hash: row.hash.toLowerCase(), algorithm: row.algorithm, ...meta },
        vector,
      });
      return;
    }
    if (row.algorithm === PROFILE_SIGNATURE_ALGORITHM) {
      const profile = parseProfileSignature(row.hash);
      this.profiles.push({
        row: { hash: row.hash.toLowerCase(), algorithm: row.algorithm, ...meta },
        profile,
      });
      return;
    }
    if (row.algorithm !== undefined && row.algorithm !== 'pdq') {
      throw new ModerationConfigError(
        `Unknown hash algorithm '${String(row.algorithm)}' (pdq, ${DCT_SIGNATURE_ALGORITHM} or ${PROFILE_SIGNATURE_ALGORITHM})`,
      );
    }
    const hash = hashFromHex(row.hash);
    const n = this.rows.length;
    if ((n + 1) * 8 > this.words.length) {
      const grown = new Uint32Array(this.words.length * 2);
      grown.set(this.words);
      this.words = grown;
    }
    this.words.set(hash, n * 8);
    this.rows.push({ hash: hashToHex(hash), ...meta });
  }

  /** Adds many rows (e.g. loaded from the DB). */
  addRows(rows: Iterable<HashBankRow>): void {
    for (const row of rows) this.addRow(row);
  }

  /**
   * Adds an image's PDQ and its dihedral variants, derived from the DCT.
   *
   * @param variants which variants to store; mirrors by default ({@link DEFAULT_BANK_VARIANTS}).
   * @param extra further hashes of the same image, e.g. central crops (see `bankHashesForImage`).
   */
  addImage(
    pdq: PdqResult,
    meta: { label: string; source: string },
    variants: readonly DihedralTransform[] = DEFAULT_BANK_VARIANTS,
    extra: ReadonlyMap<BankVariant, Hash256> = new Map(),
  ): void {
    const seen = new Set<string>();
    for (const [variant, hash] of [...dihedralHashes(pdq, variants), ...extra]) {
      const hex = hashToHex(hash);
      if (seen.has(hex)) continue; // symmetric images give identical variants
      seen.add(hex);
      this.addRow({ hash: hex, label: meta.label, source: meta.source, variant });
    }
  }

  /** All rows, for persistence. Round-trips through {@link HashBank.fromRows}. */
  toRows(): HashBankRow[] {
    return [
      ...this.rows,
      ...this.signatures.map((s) => s.row),
      ...this.profiles.map((p) => p.row),
    ].map((r) => ({ ...r }));
  }

  /**
   * Low-detail signatures similar to any of the query's DCT variants (from `dctQueryVariants`),
   * most similar first. A linear scan: only low-detail images are stored this way.
   */
  querySignatures(
    variants: ReadonlyMap<DihedralTransform, Float32Array>,
    minSimilarity = DCT_MATCH_SIMILARITY,
  ): DctSignatureMatch[] {
    const out: DctSignatureMatch[] = [];
    for (const { row, vector } of this.signatures) {
      let best: DctSignatureMatch | undefined;
      for (const [transform, q] of variants) {
        const similarity = dctSimilarity(q, vector);
        if (similarity >= minSimilarity && (!best || similarity > best.similarity))
          best = { row, similarity, transform };
      }
      if (best) out.push(best);
    }
    return out.sort((a, b) => b.similarity - a.similarity);
  }

  /**
   * Profile signatures that line up with any of the query's profiles (the upload and the pictures
   * inside its bands, from `profileSignature`), most similar first. A linear scan: only
   * low-detail images are stored this way.
   */
  queryProfiles(
    queries: readonly ProfileSignature[],
    minSimilarity = PROFILE_MATCH_CORRELATION,
  ): ProfileSignatureMatch[] {
    const out: ProfileSignatureMatch[] = [];
    for (const { row, profile } of this.profiles) {
      let best: ProfileSignatureMatch | undefined;
      for (const q of queries) {
        const { similarity, transform } = profileSimilarity(profile, q, minSimilarity);
        if (similarity >= minSimilarity && (!best || similarity > best.similarity))
          best = { row, similarity, transform };
      }
      if (best) out.push(best);
    }
    return out.sort((a, b) => b.similarity - a.similarity);
  }

  /** Builds a bank from stored rows. */
  static fromRows(rows: Iterable<HashBankRow>): HashBank {
    const bank = new HashBank();
    bank.addRows(rows);
    return bank;
  }

  /**
   * Every stored hash within `maxDistance` of `hash`, closest first.
   *
   * @param maxDistance PDQ's 31 by default; the chunk radius grows with it, so keep it small.
   */
  query(hash: Hash256, maxDistance = PDQ_MATCH_DISTANCE): HashBankMatch[] {
    return this.queryAny([hash], maxDistance).map(({ row, distance }) => ({ row, distance }));
  }

  /**
   * Every stored hash within `maxDistance` of any of `hashes` (e.g. an upload's 8 dihedral hashes),
   * each entry once with its smallest distance and the index of the query hash that gave it,
   * closest first. One pass over the chunk index serves all the query hashes.
   */
  queryAny(
    hashes: readonly Hash256[],
    maxDistance = PDQ_MATCH_DISTANCE,
  ): (HashBankMatch & { query: number })[] {
    if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > 255) {
      throw new ModerationConfigError(
        `maxDistance must be an integer in 0..255, got ${maxDistance}`,
      );
    }
    const index = this.refreshIndex();
    const queries = new Uint32Array(hashes.length * 8);
    hashes.forEach((hash, q) => queries.set(hash.subarray(0, 8), q * 8));
    return hammingSearch(this.words, this.rows.length, index, queries, maxDistance)
      .map(({ id, distance, query }) => ({ row: this.rows[id]!, distance, query }))
      .sort((a, b) => a.distance - b.distance);
  }

  /** Reference implementation: compares against every entry. Same results as {@link query}. */
  queryLinear(hash: Hash256, maxDistance = PDQ_MATCH_DISTANCE): HashBankMatch[] {
    const matches: HashBankMatch[] = [];
    for (let id = 0; id < this.rows.length; id++) {
      const d = this.distanceTo(hash, id, maxDistance);
      if (d <= maxDistance) matches.push({ row: this.rows[id]!, distance: d });
    }
    return matches.sort((a, b) => a.distance - b.distance);
  }

  /** Hamming distance to entry `id`, stopping early once past `limit`. */
  private distanceTo(hash: Hash256, id: number, limit: number): number {
    const words = this.words;
    const base = id * 8;
    let d = 0;
    for (let w = 0; w < 8; w++) {
      d += popcount32(((hash[w] ?? 0) ^ (words[base + w] ?? 0)) >>> 0);
      if (d > limit) return d;
    }
    return d;
  }

  /** The chunk index, rebuilt when the unindexed tail is too long to scan cheaply. */
  private refreshIndex(): HammingIndex {
    const n = this.rows.length;
    if (this.index && n - this.index.indexed <= Math.max(256, n >> 4)) return this.index;
    this.index = buildHammingIndex(this.words, n);
    return this.index;
  }
}

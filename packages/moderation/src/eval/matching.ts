/**
 * Near-duplicate matching on real photographs ({@link photoSet}): banked originals edited with
 * {@link PHOTO_EDITS} must match their own source (or a recoloured sibling of the same design); unrelated photos, unedited and edited the same
 * ways, must match nothing. Runs today's staged matcher and, for comparison, the earlier one
 * (one PDQ per upload against original + mirror + central-crop hashes, quality < 50 ignored).
 */
import { HashBank } from '../bank/hash-bank.js';
import { bankHashesForImage } from '../bank/image-variants.js';
import { addImageToBank, matchImage, type MatchStage } from '../bank/matcher.js';
import { PROFILE_SIGNATURE_ALGORITHM } from '../bank/profile-signature.js';
import type { RgbImage } from '../input/decode.js';
import { decodeBytes } from '../pdq/image.js';
import { PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY } from '../pdq/pdq.js';
import {
  BENIGN_VIEWS,
  PHOTO_EDITS,
  benignPhotos,
  loadSetPhoto,
  photoSet,
  type SetPhoto,
} from './photo-set.js';

/** A matcher under evaluation: sources of the matches of one upload. */
interface Contender {
  name: string;
  bank: HashBank;
  match: (image: RgbImage) => Promise<{ sources: string[]; stage?: MatchStage }>;
}

/** Recall of one edit for each contender. */
export interface MatchingEvalRow {
  edit: string;
  positives: number;
  recall: Record<string, number>;
  /** Queries answered by each stage of the staged matcher. */
  stages: Partial<Record<MatchStage, number>>;
}

/** The whole evaluation. */
export interface MatchingEval {
  banked: number;
  unrelated: number;
  lowDetailBanked: number;
  rows: MatchingEvalRow[];
  /** Unrelated queries (originals and every edit of them) that matched anything. */
  falseMatches: Record<string, { matched: number; queries: number }>;
  /**
   * The benign photo set's pictures that are not banked (`benignPhotos()`: the unrelated
   * wallpapers plus puzzle photos, textures and a portrait), each in every `BENIGN_VIEWS` view
   * (crops down to a quarter) and every edit: queries that matched anything.
   */
  benignFalseMatches: Record<string, { matched: number; queries: number; photos: number }>;
  /** Per-upload time of the staged matcher, decode excluded (ms). */
  latency: { p50: number; p95: number; max: number };
  /**
   * The same uploads through the matcher without this round's additions (no profile signatures, no
   * brightened rows, so the profile stage never runs), timed alternately with it in one process.
   */
  latencyWithoutProfile: { p50: number; p95: number; max: number };
  bankRows: Record<string, number>;
}

const quantile = (v: number[], q: number) =>
  [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(v.length * q))] ?? 0;

async function legacy(banked: { photo: SetPhoto; image: RgbImage }[]): Promise<Contender> {
  const bank = new HashBank();
  for (const { photo, image } of banked) {
    const { pdq, crops } = await bankHashesForImage(image);
    bank.addImage(pdq, { label: 'known', source: photo.id }, undefined, crops);
  }
  const { pdqFromImage } = await import('../pdq/image.js');
  return {
    name: 'before',
    bank,
    match: async (image) => {
      const pdq = await pdqFromImage(image);
      if (pdq.quality < PDQ_MIN_QUALITY) return { sources: [] };
      return { sources: bank.query(pdq.hash, PDQ_MATCH_DISTANCE).map((m) => m.row.source) };
    },
  };
}

async function staged(
  banked: { photo: SetPhoto; image: RgbImage }[],
  times: number[],
  timesWithoutProfile: number[],
): Promise<Contender> {
  const bank = new HashBank();
  for (const { photo, image } of banked)
    await addImageToBank(bank, image, { label: 'known', source: photo.id });
  const withoutProfile = HashBank.fromRows(
    bank
      .toRows()
      .filter(
        (r) => r.algorithm !== PROFILE_SIGNATURE_ALGORITHM && !r.variant?.startsWith('bright'),
      ),
  );
  let turn = 0;
  return {
    name: 'after',
    bank,
    match: async (image) => {
      // Alternate which runs first, so neither profits from warm caches more than the other.
      const timeWithout = async () => {
        const t = performance.now();
        await matchImage(withoutProfile, image);
        timesWithoutProfile.push(performance.now() - t);
      };
      if (turn++ % 2 === 0) await timeWithout();
      const t = performance.now();
      const r = await matchImage(bank, image);
      times.push(performance.now() - t);
      if (turn % 2 === 0) await timeWithout();
      return {
        sources: r.matches.map((m) => m.row.source),
        ...(r.matches[0] ? { stage: r.matches[0].stage } : {}),
      };
    },
  };
}

/** Uploads (made one at a time) that each contender matched to anything, per contender. */
async function countFalseMatches(
  contenders: Contender[],
  uploads: (() => Promise<Buffer>)[],
): Promise<Record<string, { matched: number; queries: number }>> {
  const counts = Object.fromEntries(contenders.map((c) => [c.name, { matched: 0, queries: 0 }]));
  for (const make of uploads) {
    const image = await decodeBytes(await make());
    for (const c of contenders) {
      const r = await c.match(image);
      counts[c.name]!.queries++;
      if (r.sources.length > 0) counts[c.name]!.matched++;
    }
  }
  return counts;
}

const falseMatchSummary = (counts: Record<string, { matched: number; queries: number }>) =>
  Object.entries(counts)
    .map(([name, c]) => `${name} ${c.matched}/${c.queries}`)
    .join(', ');

/**
 * Runs the evaluation. `quick` keeps every 3rd photo (for a smoke run).
 *
 * @throws {@link ModerationConfigError} when the photo set's Debian packages are not installed.
 */
export async function evalMatching(
  options: { quick?: boolean; log?: (line: string) => void; edits?: string[] } = {},
): Promise<MatchingEval> {
  const set = photoSet();
  const pick = <T>(xs: T[]) => (options.quick ? xs.filter((_, i) => i % 3 === 0) : xs);
  const load = async (photo: SetPhoto) => {
    const png = await loadSetPhoto(photo);
    return { photo, png, image: await decodeBytes(png) };
  };
  const banked = await Promise.all(pick(set.banked).map(load));
  const families = new Map(banked.map((b) => [b.photo.id, b.photo.family]));
  const familyOf = (source: string) => families.get(source) ?? source;
  const unrelated = await Promise.all(pick(set.unrelated).map(load));
  const times: number[] = [];
  const timesWithoutProfile: number[] = [];
  const contenders = [await legacy(banked), await staged(banked, times, timesWithoutProfile)];
  const { pdqFromImage } = await import('../pdq/image.js');
  let lowDetailBanked = 0;
  for (const b of banked)
    if ((await pdqFromImage(b.image)).quality < PDQ_MIN_QUALITY) lowDetailBanked++;
  const edits = Object.entries(PHOTO_EDITS).filter(
    ([name]) => !options.edits || options.edits.includes(name),
  );
  const rows: MatchingEvalRow[] = [];
  for (const [edit, apply] of edits) {
    const hits: Record<string, number> = {};
    const stages: Partial<Record<MatchStage, number>> = {};
    for (const [i, b] of banked.entries()) {
      const image = await decodeBytes(await apply(b.png, i));
      for (const c of contenders) {
        const r = await c.match(image);
        if (r.sources.some((s) => familyOf(s) === b.photo.family)) {
          hits[c.name] = (hits[c.name] ?? 0) + 1;
          if (r.stage) stages[r.stage] = (stages[r.stage] ?? 0) + 1;
        }
      }
    }
    const recall = Object.fromEntries(
      contenders.map((c) => [c.name, (hits[c.name] ?? 0) / banked.length]),
    );
    rows.push({ edit, positives: banked.length, recall, stages });
    options.log?.(
      `matching ${edit}: ${contenders.map((c) => `${c.name} ${(recall[c.name]! * 100).toFixed(1)}%`).join(', ')}`,
    );
  }
  const negatives: (() => Promise<Buffer>)[] = unrelated.flatMap((u, i) => [
    () => Promise.resolve(u.png),
    ...edits.map(
      ([, apply]) =>
        () =>
          apply(u.png, i),
    ),
  ]);
  const falseMatches = await countFalseMatches(contenders, negatives);
  options.log?.(`matching false matches: ${falseMatchSummary(falseMatches)}`);
  const bankedPaths = new Set(set.banked.map((p) => p.path));
  const benign = pick(benignPhotos().filter((path) => !bankedPaths.has(path)));
  const benignUploads = benign.flatMap((path, i) => {
    // The edits start from the photo as posted (≤ 512 px, JPEG q90), made once per photo.
    let posted: Promise<Buffer> | undefined;
    const original = () => (posted ??= BENIGN_VIEWS.original!(path));
    return [
      ...Object.values(BENIGN_VIEWS).map((view) => () => view(path)),
      ...edits.map(
        ([, apply]) =>
          async () =>
            apply(await original(), i),
      ),
    ];
  });
  const benignCounts = await countFalseMatches(contenders, benignUploads);
  options.log?.(`matching false matches, benign set: ${falseMatchSummary(benignCounts)}`);
  const benignFalseMatches: MatchingEval['benignFalseMatches'] = Object.fromEntries(
    Object.entries(benignCounts).map(([name, c]) => [name, { ...c, photos: benign.length }]),
  );
  return {
    banked: banked.length,
    unrelated: unrelated.length,
    lowDetailBanked,
    rows,
    falseMatches,
    benignFalseMatches,
    latency: { p50: quantile(times, 0.5), p95: quantile(times, 0.95), max: quantile(times, 1) },
    latencyWithoutProfile: {
      p50: quantile(timesWithoutProfile, 0.5),
      p95: quantile(timesWithoutProfile, 0.95),
      max: quantile(timesWithoutProfile, 1),
    },
    bankRows: Object.fromEntries(
      contenders.map((c) => [c.name, c.bank.size + c.bank.signatureCount + c.bank.profileCount]),
    ),
  };
}

/** Markdown table of {@link evalMatching}'s result. */
export function matchingTable(result: MatchingEval): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `${result.banked} banked photos (${result.lowDetailBanked} low-detail, PDQ quality < ${PDQ_MIN_QUALITY}); ` +
      `${result.unrelated} unrelated photos x (original + ${result.rows.length} edits) as negatives`,
    '',
    '| edit | recall before | recall after | answered by (after) |',
    '|---|---|---|---|',
    ...result.rows.map(
      (r) =>
        `| ${r.edit} | ${pct(r.recall.before ?? 0)} | ${pct(r.recall.after ?? 0)} | ${Object.entries(
          r.stages,
        )
          .map(([s, n]) => `${s} ${n}`)
          .join(', ')} |`,
    ),
  ];
  const fm = result.falseMatches;
  const fmCell = (name: string) =>
    fm[name]
      ? `${fm[name].matched}/${fm[name].queries} (${pct(fm[name].matched / Math.max(1, fm[name].queries))})`
      : '-';
  lines.push(`| **false matches** (unrelated) | ${fmCell('before')} | ${fmCell('after')} | |`);
  const benign = result.benignFalseMatches;
  const benignCell = (name: string) =>
    benign[name]
      ? `${benign[name].matched}/${benign[name].queries} (${pct(benign[name].matched / Math.max(1, benign[name].queries))})`
      : '-';
  const photos = Object.values(benign)[0]?.photos ?? 0;
  lines.push(
    `| **false matches** (benign set: ${photos} photos x (${Object.keys(BENIGN_VIEWS).length} views + ${result.rows.length} edits)) | ${benignCell('before')} | ${benignCell('after')} | |`,
  );
  lines.push(
    '',
    `Bank rows: before ${result.bankRows.before}, after ${result.bankRows.after}. ` +
      `Staged matcher per upload (decode excluded): p50 ${result.latency.p50.toFixed(1)} ms, ` +
      `p95 ${result.latency.p95.toFixed(1)} ms, max ${result.latency.max.toFixed(1)} ms; ` +
      `without the profile stage and brightened rows, timed alternately: p50 ${result.latencyWithoutProfile.p50.toFixed(1)} ms, ` +
      `p95 ${result.latencyWithoutProfile.p95.toFixed(1)} ms, max ${result.latencyWithoutProfile.max.toFixed(1)} ms.`,
  );
  return lines.join('\n');
}

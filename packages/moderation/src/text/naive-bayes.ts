/**
 * Multinomial naive Bayes for spam/ham text with Laplace smoothing, computed in log space (long
 * texts underflow plain probabilities). Small enough to retrain from moderator decisions at run time.
 */
import { z } from 'zod';
import { ModerationConfigError } from '../errors.js';
import { tokenize } from './tokenize.js';

/** A labelled training text. */
export interface LabelledText {
  text: string;
  spam: boolean;
}

const modelSchema = z.object({
  kind: z.literal('naive-bayes-spam'),
  version: z.literal(1),
  docs: z.object({ spam: z.number().int().nonnegative(), ham: z.number().int().nonnegative() }),
  tokens: z.object({ spam: z.number().nonnegative(), ham: z.number().nonnegative() }),
  /** token -> [spam count, ham count] */
  counts: z.record(z.string(), z.tuple([z.number().nonnegative(), z.number().nonnegative()])),
  trainedOn: z.string(),
});

/** Serialized form (JSON-safe). */
export type NaiveBayesModelJson = z.infer<typeof modelSchema>;

/** Spam probability model over word tokens. */
export class NaiveBayesSpamModel {
  /** Distinct tokens + 1 (Laplace denominator); recomputed after updates. */
  private vocab: number;

  private constructor(private readonly model: NaiveBayesModelJson) {
    // A Map, not the JSON object: tokens like "constructor" or "__proto__" would otherwise hit
    // Object.prototype (one such e-mail scored NaN).
    this.counts = new Map(Object.entries(model.counts));
    this.vocab = this.counts.size + 1;
  }

  /** token -> [spam count, ham count]; the source of truth, copied into JSON by toJSON. */
  private readonly counts: Map<string, [number, number]>;

  /**
   * Trains on labelled texts. Each text contributes each distinct token once (binarized counts work
   * better than raw counts for spam, which repeats words).
   *
   * @param trainedOn provenance note stored with the model.
   */
  static train(data: Iterable<LabelledText>, trainedOn: string): NaiveBayesSpamModel {
    const model: NaiveBayesModelJson = {
      kind: 'naive-bayes-spam',
      version: 1,
      docs: { spam: 0, ham: 0 },
      tokens: { spam: 0, ham: 0 },
      counts: {},
      trainedOn,
    };
    const nb = new NaiveBayesSpamModel(model);
    nb.update(data);
    if (model.docs.spam === 0 || model.docs.ham === 0) {
      throw new ModerationConfigError(
        `Naive Bayes needs both spam and ham examples (got ${model.docs.spam} spam, ${model.docs.ham} ham)`,
      );
    }
    return nb;
  }

  /** Adds more labelled texts to the counts (online retraining). */
  update(data: Iterable<LabelledText>): void {
    const m = this.model;
    for (const { text, spam } of data) {
      const side = spam ? 0 : 1;
      if (spam) m.docs.spam++;
      else m.docs.ham++;
      for (const t of new Set(tokenize(text))) {
        let c = this.counts.get(t);
        if (!c) this.counts.set(t, (c = [0, 0]));
        c[side]++;
        if (spam) m.tokens.spam++;
        else m.tokens.ham++;
      }
    }
    this.vocab = this.counts.size + 1;
  }

  /** P(spam | text) in [0, 1]; 0.5-ish prior for texts without known tokens. */
  probability(text: string): number {
    return this.explain(text).probability;
  }

  /**
   * Probability plus the tokens that pushed it most towards spam (evidence for reasons) and how
   * many distinct tokens of the text the model knows (its amount of evidence).
   */
  explain(text: string): { probability: number; topSpamTokens: string[]; knownTokens: number } {
    const m = this.model;
    const vocab = this.vocab;
    let logSpam = Math.log(m.docs.spam / (m.docs.spam + m.docs.ham));
    let logHam = Math.log(m.docs.ham / (m.docs.spam + m.docs.ham));
    const contributions: [string, number][] = [];
    for (const t of new Set(tokenize(text))) {
      const c = this.counts.get(t);
      if (!c) continue; // unseen words carry no evidence either way
      const ls = Math.log((c[0] + 1) / (m.tokens.spam + vocab));
      const lh = Math.log((c[1] + 1) / (m.tokens.ham + vocab));
      logSpam += ls;
      logHam += lh;
      contributions.push([t, ls - lh]);
    }
    const probability = 1 / (1 + Math.exp(logHam - logSpam));
    const topSpamTokens = contributions
      .filter(([, w]) => w > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([t]) => t);
    return { probability, topSpamTokens, knownTokens: contributions.length };
  }

  /** Distinct tokens of `text` the model has seen in training (0 for an unknown vocabulary). */
  evidence(text: string): number {
    let n = 0;
    for (const t of new Set(tokenize(text))) if (this.counts.has(t)) n++;
    return n;
  }

  /** JSON form; loads back with {@link NaiveBayesSpamModel.fromJSON}. */
  toJSON(): NaiveBayesModelJson {
    // defineProperty semantics: a "__proto__" token becomes an own key, not the prototype.
    const { counts: _stale, ...rest } = this.model;
    return { ...structuredClone(rest), counts: Object.fromEntries(this.counts) };
  }

  /** @throws {@link ModerationConfigError} when `json` is not a saved model. */
  static fromJSON(json: unknown): NaiveBayesSpamModel {
    const parsed = modelSchema.safeParse(json);
    if (!parsed.success) {
      throw new ModerationConfigError(`Not a naive Bayes spam model: ${parsed.error.message}`);
    }
    return new NaiveBayesSpamModel(parsed.data);
  }

  /** Provenance note. */
  get trainedOn(): string {
    return this.model.trainedOn;
  }
}

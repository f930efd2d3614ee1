/**
 * The moderation pipeline: validate -> decode once -> run every applicable detector (in parallel,
 * each failure isolated) -> apply the policy.
 */
import type { HashBank } from '../bank/hash-bank.js';
import { createAbuseDetector } from '../detectors/caption-abuse.js';
import { createSpamDetector } from '../detectors/caption-spam.js';
import type { Detector, DetectorInput } from '../detectors/detector.js';
import { createExplicitDetector } from '../detectors/explicit.js';
import { createNearDuplicateDetector } from '../detectors/near-duplicate.js';
import { ModerationInputError, type InputErrorCode } from '../errors.js';
import { decodeImage } from '../input/decode.js';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../contract/limits.js';
import { validateItem } from '../input/validate.js';
import {
  DEFAULT_POLICY,
  decide,
  parsePolicy,
  type Decision,
  type PolicyInput,
} from '../policy/policy.js';
import type { DetectorResult, ModerationItem } from '../types.js';

/** Options of {@link createModerator}. */
export interface ModeratorOptions {
  /** Policy config (validated here); {@link DEFAULT_POLICY} when omitted. */
  policy?: PolicyInput;
  /** Known-content bank for the near-duplicate detector; without it that detector is skipped. */
  bank?: HashBank;
  /**
   * Detectors to run. Default: {@link defaultDetectors}. Pass your own list to add a synthetic-image
   * detector or drop the NSFW model.
   */
  detectors?: Detector[];
  limits?: Partial<InputLimits>;
  /** A detector taking longer than this on one batch is treated as failed (default 60 s). */
  detectorTimeoutMs?: number;
}

/** Outcome for one item of a batch: a decision, or the input error that refused it. */
export type BatchOutcome =
  | { externalId: string; ok: true; decision: Decision }
  | { externalId: string; ok: false; error: { code: InputErrorCode; message: string } };

/** A configured pipeline. */
export interface Moderator {
  /**
   * Moderates one item.
   *
   * @throws {@link ModerationInputError} when the item is refused (bad image, caption too long...).
   */
  moderate(item: ModerationItem): Promise<Decision>;
  /** Moderates many items; bad items are reported per item and never fail the batch. */
  moderateBatch(items: readonly ModerationItem[]): Promise<BatchOutcome[]>;
  /** The detectors in use. */
  readonly detectors: readonly Detector[];
  /** The policy version decisions are made under. */
  readonly policyVersion: string;
}

/** Near-duplicate (with a bank), explicit image (NSFW, loaded on first image), caption abuse, spam. */
export function defaultDetectors(bank?: HashBank): Detector[] {
  return [
    ...(bank ? [createNearDuplicateDetector({ bank })] : []),
    createExplicitDetector(),
    createAbuseDetector(),
    createSpamDetector(),
  ];
}

function failure(detector: Detector, error: unknown): DetectorResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    detector: detector.name,
    category: 'detector-error',
    score: 1,
    label: 'error',
    reason: `Detector ${detector.name} (${detector.category}) failed: ${message.split('\n')[0]}`,
    details: { failedCategory: detector.category, error: message },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Builds a moderator.
 *
 * @throws {@link ModerationConfigError} when the policy is invalid.
 */
export function createModerator(options: ModeratorOptions = {}): Moderator {
  const policy = parsePolicy(options.policy ?? DEFAULT_POLICY);
  const limits: InputLimits = { ...DEFAULT_INPUT_LIMITS, ...options.limits };
  const detectors = options.detectors ?? defaultDetectors(options.bank);
  const timeoutMs = options.detectorTimeoutMs ?? 60_000;

  /** Runs one detector over the inputs it applies to; failures become per-item error results. */
  async function runDetector(
    detector: Detector,
    inputs: DetectorInput[],
  ): Promise<(DetectorResult | undefined)[]> {
    const applicable = inputs
      .map((input, i) => ({ input, i }))
      .filter(({ input }) =>
        detector.reads === 'image' ? input.image : input.caption !== undefined,
      );
    const out: (DetectorResult | undefined)[] = new Array<DetectorResult | undefined>(
      inputs.length,
    );
    if (applicable.length === 0) return out;
    try {
      const results = await withTimeout(
        detector.detect(applicable.map((a) => a.input)),
        timeoutMs,
        `Detector ${detector.name}`,
      );
      if (results.length !== applicable.length) {
        throw new Error(`returned ${results.length} results for ${applicable.length} inputs`);
      }
      applicable.forEach((a, k) => (out[a.i] = results[k]));
    } catch (err) {
      for (const a of applicable) out[a.i] = failure(detector, err);
    }
    return out;
  }

  async function prepare(item: ModerationItem): Promise<DetectorInput> {
    const valid = validateItem(item, limits);
    const input: DetectorInput = { externalId: valid.externalId };
    if (valid.caption !== undefined) input.caption = valid.caption;
    if (valid.image)
      input.image = await decodeImage(valid.image.bytes, valid.image.header, limits.maxPixels);
    return input;
  }

  async function score(inputs: DetectorInput[]): Promise<Decision[]> {
    const perDetector = await Promise.all(detectors.map((d) => runDetector(d, inputs)));
    return inputs.map((input, i) =>
      decide(
        policy,
        input.externalId,
        perDetector.map((r) => r[i]).filter((r): r is DetectorResult => r !== undefined),
      ),
    );
  }

  return {
    detectors,
    policyVersion: policy.version,
    async moderate(item) {
      const [decision] = await score([await prepare(item)]);
      return decision!;
    },
    async moderateBatch(items) {
      const prepared = await Promise.all(
        items.map(async (item) => {
          try {
            return { ok: true as const, input: await prepare(item) };
          } catch (err) {
            if (!(err instanceof ModerationInputError)) throw err;
            return { ok: false as const, error: { code: err.code, message: err.message } };
          }
        }),
      );
      const inputs = prepared.flatMap((p) => (p.ok ? [p.input] : []));
      const decisions = await score(inputs);
      let next = 0;
      return prepared.map((p, i): BatchOutcome => {
        const raw: unknown = (items[i] as { externalId?: unknown } | undefined)?.externalId;
        const externalId = p.ok ? p.input.externalId : typeof raw === 'string' ? raw : '';
        return p.ok
          ? { externalId, ok: true, decision: decisions[next++]! }
          : { externalId, ok: false, error: p.error };
      });
    },
  };
}

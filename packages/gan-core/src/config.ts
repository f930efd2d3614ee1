/**
 * The training-run configuration: one zod schema shared by the trainer CLI/worker and the dashboard's
 * launch form, so a config accepted in one place is accepted everywhere.
 * It imports no TensorFlow.js: browser bundles use it through `@ganmod/gan-core/config`.
 */
import { z } from 'zod';

import { datasetSpecSchema } from '@ganmod/datasets/spec';

/** A number field with an inclusive range and a message naming the field and the range. */
function ranged(field: string, min: number, max: number, opts: { int?: boolean } = {}) {
  const range = `${field} must be ${opts.int === true ? 'an integer ' : ''}between ${min} and ${max}`;
  let schema = z.number({ error: `${field} must be a number` });
  if (opts.int === true) schema = schema.int({ error: range });
  return schema.min(min, { error: range }).max(max, { error: range });
}

/** A positive number with an exclusive lower bound of 0 (learning rates). */
function positive(field: string, max: number) {
  const range = `${field} must be greater than 0 and at most ${max}`;
  return z
    .number({ error: `${field} must be a number` })
    .gt(0, { error: range })
    .max(max, { error: range });
}

/**
 * The generator/discriminator families: three for images, and `toy-mlp` for the 2-D point
 * datasets (ring8, grid25) that measure mode collapse.
 */
export const modelKinds = ['mlp', 'dcgan', 'cdcgan', 'toy-mlp'] as const;
export type ModelKind = (typeof modelKinds)[number];

/** Dataset kinds whose samples are 2-D points: they train with model `toy-mlp` only. */
export const pointDatasetKinds = ['ring8', 'grid25'] as const;

/** Adversarial objectives. */
export const lossKinds = ['bce', 'hinge', 'wgan-gp'] as const;
export type LossKind = (typeof lossKinds)[number];

/** DiffAugment policies (Zhao et al. 2020), applied to real and fake images before D. */
export const augmentPolicies = ['color', 'translation', 'cutout'] as const;
export type AugmentPolicy = (typeof augmentPolicies)[number];

const augmentPolicySchema = z.enum(augmentPolicies, {
  error: `diffAugment entries must be one of ${augmentPolicies.join(', ')}`,
});

/** Accepts `'none'`, `'color,translation'` or `['color', 'translation']`; yields a de-duplicated array. */
const diffAugmentSchema = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v.trim() === 'none' || v.trim() === ''
        ? []
        : v.split(',').map((s) => s.trim())
      : v,
  z
    .array(augmentPolicySchema, {
      error: "diffAugment must be 'none', a comma-separated list or an array",
    })
    .transform((list) => [...new Set(list)]),
);

/** Stops runs that have diverged instead of burning compute on them. */
export const watchdogSchema = z
  .object({
    enabled: z.boolean({ error: 'watchdog.enabled must be a boolean' }).default(true),
    /** Consecutive steps of "D loss below collapseDLoss while G loss above collapseGLoss" that count as a collapse. */
    collapsePatience: ranged('watchdog.collapsePatience', 1, 1_000_000, { int: true }).default(200),
    collapseDLoss: ranged('watchdog.collapseDLoss', 0, 10).default(1e-3),
    collapseGLoss: ranged('watchdog.collapseGLoss', 0, 1e6).default(15),
  })
  .strict();

/** The training-run configuration schema (zod 4). Unknown keys are rejected at every level. */
export const trainConfigSchema = z
  .object({
    dataset: datasetSpecSchema,
    model: z
      .enum(modelKinds, { error: `model must be one of ${modelKinds.join(', ')}` })
      .default('dcgan'),
    latentDim: ranged('latentDim', 1, 1024, { int: true }).default(100),
    loss: z
      .enum(lossKinds, { error: `loss must be one of ${lossKinds.join(', ')}` })
      .default('bce'),
    /** One-sided: real targets become 1 - labelSmoothing (bce only). */
    labelSmoothing: ranged('labelSmoothing', 0, 0.5).default(0),
    /** Gradient-penalty weight (wgan-gp only). */
    gpWeight: ranged('gpWeight', 0, 1000).default(10),
    /** R1 penalty on reals, gamma/2 * E||grad D(x)||^2; 0 = off. */
    r1Gamma: ranged('r1Gamma', 0, 1000).default(0),
    diffAugment: diffAugmentSchema.default([]),
    batchSize: ranged('batchSize', 1, 1024, { int: true }).default(64),
    steps: ranged('steps', 1, 10_000_000, { int: true }).default(5000),
    /** Discriminator updates per generator update. */
    dSteps: ranged('dSteps', 1, 10, { int: true }).default(1),
    lrG: positive('lrG', 1).default(2e-4),
    lrD: positive('lrD', 1).default(2e-4),
    beta1: ranged('beta1', 0, 0.9999).default(0.5),
    beta2: ranged('beta2', 0, 0.99999).default(0.999),
    /** Decay of the generator's exponential moving average; 0 turns EMA off. */
    emaDecay: ranged('emaDecay', 0, 0.99999).default(0.999),
    seed: ranged('seed', 0, 2 ** 32 - 1, { int: true }).default(0),
    /** Steps between sample grids; 0 = never. */
    sampleEvery: ranged('sampleEvery', 0, 10_000_000, { int: true }).default(500),
    /** Steps between checkpoints; 0 = only the final one. */
    checkpointEvery: ranged('checkpointEvery', 0, 10_000_000, { int: true }).default(1000),
    /** Checkpoints kept on disk (older ones are deleted). */
    checkpointKeep: ranged('checkpointKeep', 1, 1000, { int: true }).default(3),
    /** Steps between `onEval` calls; 0 = never. */
    evalEvery: ranged('evalEvery', 0, 10_000_000, { int: true }).default(0),
    /** Images in each sample grid (conditional models: per class row, rounded up). */
    sampleCount: ranged('sampleCount', 1, 1024, { int: true }).default(64),
    watchdog: watchdogSchema.prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.labelSmoothing > 0 && c.loss !== 'bce') {
      ctx.addIssue({
        code: 'custom',
        path: ['labelSmoothing'],
        message: `labelSmoothing applies to the bce loss only (loss is ${c.loss})`,
      });
    }
    const points = (pointDatasetKinds as readonly string[]).includes(c.dataset.kind);
    if (points && c.model !== 'toy-mlp') {
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message: `dataset ${c.dataset.kind} holds 2-D points: it trains with model toy-mlp (${c.model} builds images)`,
      });
    }
    if (!points && c.model === 'toy-mlp') {
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message: `model toy-mlp trains on 2-D point datasets (${pointDatasetKinds.join(', ')}), not ${c.dataset.kind}`,
      });
    }
    if (c.model === 'toy-mlp' && c.diffAugment.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['diffAugment'],
        message: `diffAugment augments images; model toy-mlp trains on points (use 'none')`,
      });
    }
  });

/** A complete, validated training configuration (all defaults filled in). */
export type TrainConfig = z.output<typeof trainConfigSchema>;
/** What a caller may write: every field with a default is optional. */
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/** Thrown by {@link parseTrainConfig}; `issues` holds one entry per bad field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly { path: string; message: string }[]) {
    super(
      `Invalid training config:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`,
    );
  }
}

/**
 * Validates `input` against {@link trainConfigSchema} and fills in defaults.
 * @throws ConfigError listing every bad field path and why.
 */
export function parseTrainConfig(input: unknown): TrainConfig {
  const result = trainConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
      message: issue.message,
    })),
  );
}

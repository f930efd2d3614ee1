/**
 * The training-run configuration: one zod schema shared by the trainer CLI/worker and the dashboard's
 * launch form, so a config accepted in one place is accepted everywhere.
 * It imports no TensorFlow.js: browser bundles use it through `@ganmod/gan-core/config`.
 */
import { z } from 'zod';

import { datasetSpecSchema } from '@ganmod/datasets/spec';

import { fieldsOf, type FieldSpec } from './config-fields.js';

export { fieldsOf, type FieldSpec } from './config-fields.js';

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
 * The model families: GANs for images, `toy-mlp` for the 2-D point datasets (ring8, grid25)
 * that measure mode collapse, and two variational autoencoders (`vae`, class-conditional `cvae`)
 * whose decoder is the DCGAN generator, trained by the same loop (see docs/vae.md). `cmlp` is the
 * class-conditional MLP GAN (projection D), the generator DP-MERF trains (docs/privacy.md).
 */
export const modelKinds = [
  'mlp',
  'dcgan',
  'cdcgan',
  'toy-mlp',
  'vae',
  'cvae',
  'resnet-cgan',
  'cmlp',
] as const;
export type ModelKind = (typeof modelKinds)[number];

/** The variational autoencoders among {@link modelKinds}: trained on the ELBO, not adversarially. */
export const vaeModelKinds = ['vae', 'cvae'] as const satisfies readonly ModelKind[];

/** True for `vae` and `cvae`. */
export function isVaeModel(kind: ModelKind): kind is (typeof vaeModelKinds)[number] {
  return (vaeModelKinds as readonly string[]).includes(kind);
}

/**
 * The models built from the DCGAN trunks (VAE: decoder and encoder): the ones `generatorWidth` and
 * `discriminatorWidth` scale.
 */
export const widthScalableKinds = [
  'dcgan',
  'cdcgan',
  'vae',
  'cvae',
] as const satisfies readonly ModelKind[];

/** Why `field` cannot be set for `model`: undefined when it can (a {@link widthScalableKinds} model). */
export function widthRefusal(
  field: 'generatorWidth' | 'discriminatorWidth',
  model: ModelKind,
): string | undefined {
  return (widthScalableKinds as readonly string[]).includes(model)
    ? undefined
    : `${field} scales the DCGAN networks of ${widthScalableKinds.join(', ')}: model ${model} has none`;
}

/**
 * True for the models that take a class label (`cmlp`, `cdcgan`, `cvae`, `resnet-cgan`): they need a
 * labelled dataset.
 */
export function isConditionalModel(kind: ModelKind): boolean {
  return kind === 'cmlp' || kind === 'cdcgan' || kind === 'cvae' || kind === 'resnet-cgan';
}

/**
 * Clusters a dcgan run conditions on when `clusters` is omitted: on MNIST, 30 met both 15-minute
 * goals on one seed of two, where 20 and 50 each missed one (docs/results.md, "Session 15").
 */
export const defaultClusters = 30;

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
    enabled: z
      .boolean({ error: 'watchdog.enabled must be a boolean' })
      .default(true)
      .describe('Stop a run whose losses show a collapse (FAILED, "diverged").'),
    /** Consecutive steps of "D loss below collapseDLoss while G loss above collapseGLoss" that count as a collapse. */
    collapsePatience: ranged('watchdog.collapsePatience', 1, 1_000_000, { int: true })
      .default(200)
      .describe('Consecutive collapsed steps (D loss low while G loss high) before the run stops.'),
    collapseDLoss: ranged('watchdog.collapseDLoss', 0, 10)
      .default(1e-3)
      .describe(
        'A step counts as collapsed when the D loss is below this while the G loss is above collapseGLoss.',
      ),
    collapseGLoss: ranged('watchdog.collapseGLoss', 0, 1e6)
      .default(15)
      .describe(
        'A step counts as collapsed when the G loss is above this while the D loss is below collapseDLoss.',
      ),
  })
  .strict();

/** The private training mechanisms: DP-SGD on D (the default), or DP-MERF's mean embedding. */
export const privacyMechanisms = ['dp-sgd-d', 'mean-embedding'] as const;
export type PrivacyMechanism = (typeof privacyMechanisms)[number];

/**
 * DP-MERF's defaults: public hyper-parameters, the best of those measured on MNIST (docs/privacy.md,
 * "DP-MERF"), never computed from a run's private images.
 */
export const meanEmbeddingDefaults = { features: 5000, bandwidth: 10 } as const;

/**
 * Differentially private training. `dp-sgd-d` (default; DP-SGD on the discriminator, Xie et al.
 * 2018): every real example's gradient of D's weights is clipped to `clipNorm`, Gaussian noise of
 * std `noiseMultiplier * clipNorm` is added to their sum, and real batches are Poisson-sampled at
 * rate batchSize / dataset size; G only ever sees D, so G and its exports are post-processing of a
 * DP mechanism; D and checkpoints are not private. `mean-embedding` (DP-MERF, Harder et al. 2021):
 * one noisy class-conditional random-Fourier-feature mean embedding of the data is released
 * before training and the conditional generator matches it; D is not used. See docs/privacy.md.
 */
export const privacySchema = z
  .object({
    // Optional rather than defaulted: configs written before it existed keep comparing equal.
    mechanism: z
      .enum(privacyMechanisms, {
        error: `privacy.mechanism must be one of ${privacyMechanisms.join(', ')}`,
      })
      .optional()
      .describe(
        'dp-sgd-d (default): DP-SGD on the discriminator; mean-embedding: DP-MERF, one noisy class-conditional feature mean that a conditional generator matches.',
      ),
    features: ranged('privacy.features', 1, 100_000, { int: true })
      .optional()
      .describe(
        `mean-embedding only: random Fourier frequencies D (default ${meanEmbeddingDefaults.features}).`,
      ),
    bandwidth: ranged('privacy.bandwidth', 1e-3, 1e6)
      .optional()
      .describe(
        `mean-embedding only: Gaussian kernel length scale on pixels in [-1, 1] (default ${meanEmbeddingDefaults.bandwidth}, measured on MNIST in docs/privacy.md; public: never computed from the private images).`,
      ),
    clipNorm: ranged('privacy.clipNorm', 1e-6, 1e6)
      .default(1)
      .describe("Largest L2 norm of one real image's gradient of D's weights."),
    noiseMultiplier: ranged('privacy.noiseMultiplier', 0.1, 1e4)
      .optional()
      .describe('Noise std over clipNorm; omit it to derive it from targetEpsilon.'),
    delta: ranged('privacy.delta', 1e-12, 0.1)
      .default(1e-5)
      .describe('Target δ of the (ε, δ) guarantee; must be below 1 / dataset size.'),
    targetEpsilon: ranged('privacy.targetEpsilon', 0.01, 1000)
      .optional()
      .describe('Privacy budget ε: sets the noise when noiseMultiplier is omitted; see onTarget.'),
    onTarget: z
      .enum(['stop', 'warn'], { error: "privacy.onTarget must be 'stop' or 'warn'" })
      .default('stop')
      .describe('At the budget: stop the run before ε passes targetEpsilon, or warn and go on.'),
  })
  .strict();

/** A validated privacy block. */
export type PrivacyConfig = z.output<typeof privacySchema>;

/** The training-run configuration schema (zod 4). Unknown keys are rejected at every level. */
export const trainConfigSchema = z
  .object({
    dataset: datasetSpecSchema.describe(
      'Which dataset to train on; ring8 and grid25 are 2-D point sets for model toy-mlp.',
    ),
    model: z
      .enum(modelKinds, { error: `model must be one of ${modelKinds.join(', ')}` })
      .default('dcgan')
      .describe(
        'mlp trains fastest (cmlp: its class-conditional form); dcgan for images; cdcgan is class-conditional; toy-mlp for the ring8/grid25 point sets; vae/cvae are (conditional) variational autoencoders; resnet-cgan is the class-conditional ResNet with spectral norm in D (32/64 px colour, e.g. emoji avatars).',
      ),
    clusters: ranged('clusters', 0, 256, { int: true })
      .optional()
      .describe(
        `dcgan only: self-conditioning, G and D conditioned on this many k-means clusters of the training images (no labels read); omitted = ${defaultClusters} (0 for private runs), 0 turns it off. At most one cluster per 50 images.`,
      ),
    latentDim: ranged('latentDim', 1, 1024, { int: true })
      .default(100)
      .describe('Size of the noise vector the generator (VAE: the decoder) starts from.'),
    generatorWidth: ranged('generatorWidth', 1 / 16, 8)
      .optional()
      .describe(
        `${widthScalableKinds.join('/')} only: multiplies the generator's (decoder's) channels; omitted = 1, the TensorFlow DCGAN tutorial's 256-128-64. Its multiply-adds grow with the square.`,
      ),
    discriminatorWidth: ranged('discriminatorWidth', 1 / 16, 8)
      .optional()
      .describe(
        `${widthScalableKinds.join('/')} only: multiplies the discriminator's (encoder's) channels; omitted = 1 (64-128 at 28 px).`,
      ),
    /** β of β-VAE: the weight of the KL term in the VAE loss recon + β·KL. */
    beta: ranged('beta', 0, 1000)
      .default(1)
      .describe('vae/cvae only: weight of the KL term (β-VAE); 1 trains on the ELBO itself.'),
    loss: z
      .enum(lossKinds, { error: `loss must be one of ${lossKinds.join(', ')}` })
      .default('bce')
      .describe('Adversarial objective.'),
    /** One-sided: real targets become 1 - labelSmoothing (bce only). */
    labelSmoothing: ranged('labelSmoothing', 0, 0.5)
      .default(0)
      .describe('bce only: real targets become 1 - value.'),
    /** Gradient-penalty weight (wgan-gp only). */
    gpWeight: ranged('gpWeight', 0, 1000)
      .default(10)
      .describe('Gradient penalty weight (wgan-gp only).'),
    /** R1 penalty on reals, gamma/2 * E||grad D(x)||^2; 0 = off. */
    r1Gamma: ranged('r1Gamma', 0, 1000)
      .default(0)
      .describe('R1 penalty on real images; 0 turns it off.'),
    diffAugment: diffAugmentSchema
      .default([])
      .describe(
        "Augment real and fake images before D (helps small datasets): 'none' or a comma-separated list.",
      ),
    batchSize: ranged('batchSize', 1, 1024, { int: true })
      .default(64)
      .describe('Images per batch.'),
    steps: ranged('steps', 1, 10_000_000, { int: true })
      .default(5000)
      .describe('Generator updates.'),
    /** Discriminator updates per generator update. */
    dSteps: ranged('dSteps', 1, 10, { int: true })
      .default(1)
      .describe('Discriminator updates per generator update.'),
    // The default recipe (docs/results.md, "Default recipe"): Adam 4e-4 for both nets reached a
    // given FID in fewer steps than the DCGAN paper's 2e-4 at no extra cost per step.
    lrG: positive('lrG', 1)
      .default(4e-4)
      .describe('Generator learning rate (Adam); VAE: the decoder.'),
    lrD: positive('lrD', 1)
      .default(4e-4)
      .describe('Discriminator learning rate (Adam); VAE: the encoder.'),
    beta1: ranged('beta1', 0, 0.9999).default(0.5).describe('Adam beta1 of both optimisers.'),
    beta2: ranged('beta2', 0, 0.99999).default(0.999).describe('Adam beta2 of both optimisers.'),
    /** Decay of the generator's exponential moving average; 0 turns EMA off. */
    emaDecay: ranged('emaDecay', 0, 0.99999)
      .default(0.999)
      .describe(
        "Decay of the generator's moving average (what samples come from); 0 turns it off.",
      ),
    seed: ranged('seed', 0, 2 ** 32 - 1, { int: true })
      .default(0)
      .describe('Random seed: the same config and seed train the same run.'),
    /** Steps between sample grids; 0 = never. */
    sampleEvery: ranged('sampleEvery', 0, 10_000_000, { int: true })
      .default(500)
      .describe('Steps between sample grids; 0 = never.'),
    /** Steps between checkpoints; 0 = only the final one. */
    checkpointEvery: ranged('checkpointEvery', 0, 10_000_000, { int: true })
      .default(1000)
      .describe('Steps between checkpoints; 0 = only at the end.'),
    /** Checkpoints kept on disk (older ones are deleted). */
    checkpointKeep: ranged('checkpointKeep', 1, 1000, { int: true })
      .default(3)
      .describe('Checkpoints kept on disk; older ones are deleted.'),
    /** Steps between `onEval` calls; 0 = never. */
    evalEvery: ranged('evalEvery', 0, 10_000_000, { int: true })
      .default(0)
      .describe(
        'Steps between quality evaluations (FID etc., mode coverage for points); 0 = never.',
      ),
    /**
     * Also score each evaluation in a pretrained network's features (the trainer uses the explicit
     * detector's MobileNetV2): a second judge for colour images, where the dataset's small
     * classifier is blind to blur and noise, and the only one for image folders without classes.
     */
    evalJudge: z
      .boolean()
      .default(false)
      .describe(
        "Also score evaluations in a pretrained network's features (MobileNetV2; RGB images only): eval/judge_fid, _kid, _precision, _recall.",
      ),
    /** Images in each sample grid (conditional models: per class row, rounded up). */
    sampleCount: ranged('sampleCount', 1, 1024, { int: true })
      .default(64)
      .describe('Images in each sample grid (conditional models: rounded up to full class rows).'),
    watchdog: watchdogSchema.prefault({}),
    privacy: privacySchema
      .optional()
      .describe('Differentially private training (DP-SGD on D); absent = not private.'),
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
    for (const field of ['generatorWidth', 'discriminatorWidth'] as const) {
      const refusal = c[field] === undefined ? undefined : widthRefusal(field, c.model);
      if (refusal !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: refusal });
    }
    if (c.clusters !== undefined && c.clusters > 0 && c.model !== 'dcgan')
      ctx.addIssue({
        code: 'custom',
        path: ['clusters'],
        message: `clusters (self-conditioning) applies to model dcgan only, not ${c.model}`,
      });
    if (c.clusters === 1)
      ctx.addIssue({
        code: 'custom',
        path: ['clusters'],
        message: 'clusters is 0 (off) or at least 2: one cluster conditions on nothing',
      });
    if (c.privacy !== undefined && c.clusters !== undefined && c.clusters > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['clusters'],
        message:
          'private training cannot self-condition: clustering reads every private image outside the privacy accounting (set clusters to 0)',
      });
    if (c.privacy !== undefined) privacyIssues(c).forEach((issue) => ctx.addIssue(issue));
    if (isVaeModel(c.model)) vaeIssues(c).forEach((issue) => ctx.addIssue(issue));
    if (c.model === 'toy-mlp' && c.diffAugment.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['diffAugment'],
        message: `diffAugment augments images; model toy-mlp trains on points (use 'none')`,
      });
    }
  });

/**
 * What a private run cannot combine with: DP-SGD clips and noises each real example's own gradient,
 * so every term of D's loss that reads real images must be a per-example sum that the mechanism
 * sees whole. WGAN-GP's interpolates, R1 and DiffAugment are not (yet) routed through it.
 */
function privacyIssues(c: {
  privacy?: PrivacyConfig | undefined;
  model: ModelKind;
  loss: LossKind;
  r1Gamma: number;
  diffAugment: readonly string[];
}): { code: 'custom'; path: string[]; message: string }[] {
  const p = c.privacy;
  if (p === undefined) return [];
  const issues: { code: 'custom'; path: string[]; message: string }[] = [];
  const add = (path: string[], message: string): void => {
    issues.push({ code: 'custom', path, message });
  };
  if (p.noiseMultiplier === undefined && p.targetEpsilon === undefined)
    add(
      ['privacy', 'noiseMultiplier'],
      'a private run needs privacy.noiseMultiplier or privacy.targetEpsilon (which sets the noise)',
    );
  if (p.mechanism === 'mean-embedding') {
    // D is not trained: the adversarial settings below do not read private data.
    if (!isConditionalModel(c.model) || isVaeModel(c.model))
      add(
        ['privacy', 'mechanism'],
        `privacy.mechanism mean-embedding releases class-conditional embeddings and trains a conditional generator: model ${c.model} is not one (use cmlp or cdcgan)`,
      );
    return issues;
  }
  for (const field of ['features', 'bandwidth'] as const)
    if (p[field] !== undefined)
      add(
        ['privacy', field],
        `privacy.${field} applies to privacy.mechanism mean-embedding only (the mechanism is dp-sgd-d)`,
      );
  if (c.loss === 'wgan-gp')
    add(
      ['loss'],
      'private training supports the bce and hinge losses: wgan-gp penalises interpolates of real images outside the per-example clipping',
    );
  if (c.r1Gamma > 0)
    add(['r1Gamma'], 'private training does not support the R1 penalty yet (set r1Gamma to 0)');
  if (c.diffAugment.length > 0)
    add(['diffAugment'], "private training does not support diffAugment yet (use 'none')");
  return issues;
}

/**
 * Adversarial settings a VAE run would silently ignore: refused, so that a config says what it
 * trains. (gpWeight is left alone: it only ever applies with loss wgan-gp, refused here.)
 */
function vaeIssues(c: {
  model: ModelKind;
  loss: LossKind;
  labelSmoothing: number;
  r1Gamma: number;
  diffAugment: readonly string[];
  dSteps: number;
  privacy?: PrivacyConfig | undefined;
}): { code: 'custom'; path: string[]; message: string }[] {
  const ignored: [string, boolean, string][] = [
    ['loss', c.loss !== 'bce', `loss ${c.loss}`],
    ['labelSmoothing', c.labelSmoothing > 0, 'labelSmoothing'],
    ['r1Gamma', c.r1Gamma > 0, 'r1Gamma'],
    ['diffAugment', c.diffAugment.length > 0, 'diffAugment'],
    ['dSteps', c.dSteps !== 1, 'dSteps'],
    ['privacy', c.privacy !== undefined, 'privacy'],
  ];
  return ignored
    .filter(([, set]) => set)
    .map(([path, , what]) => ({
      code: 'custom' as const,
      path: [path],
      message: `model ${c.model} trains on the ELBO, not adversarially: ${what} does not apply (leave it at its default)`,
    }));
}

/**
 * The clusters `config` asks for: its `clusters`, or when omitted {@link defaultClusters} for a
 * non-private dcgan and 0 otherwise. `train()` caps it at one cluster per 50 images.
 */
export function requestedClusters(
  config: Pick<TrainConfig, 'model' | 'clusters' | 'privacy'>,
): number {
  if (config.model !== 'dcgan') return 0;
  return config.clusters ?? (config.privacy === undefined ? defaultClusters : 0);
}

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

/**
 * Every field of {@link trainConfigSchema} (nested ones by dotted path: `dataset.kind`,
 * `watchdog.enabled`) with its kind, enum values, range, default and description: what the
 * dashboard's launch form and the trainer CLI's `train` flags are built from.
 */
export function trainConfigFields(): FieldSpec[] {
  return fieldsOf(trainConfigSchema);
}

/** A named starting point for a run: what the launch form offers and `train --preset` applies. */
export interface TrainingPreset {
  readonly name: string;
  /** One line: what it trains and why you would pick it. */
  readonly description: string;
  /** Fields it sets; every other field keeps the schema default. */
  readonly config: TrainConfigInput;
}

/** The VAE presets' recipe: latent 32 and Adam 1e-3 / beta1 0.9 for both nets (not the GANs' 4e-4 / 0.5). */
const vaeRecipe = {
  latentDim: 32,
  lrG: 1e-3,
  lrD: 1e-3,
  beta1: 0.9,
  steps: 2000,
  sampleEvery: 200,
} as const;

/**
 * The named presets. The launch form starts from {@link DEFAULT_TRAINING_PRESET} (a quick MLP run),
 * not from the schema's defaults (dcgan, 5000 steps), which stay what a bare config gets.
 */
export const TRAINING_PRESETS = [
  {
    name: 'mnist-mlp-quick',
    description:
      'MNIST with the MLP GAN, 2000 steps, a sample grid every 200: recognisable digits in minutes on a CPU.',
    config: { dataset: { kind: 'mnist' }, model: 'mlp', steps: 2000, sampleEvery: 200 },
  },
  {
    name: 'mnist-dcgan',
    description:
      "MNIST with the convolutional DCGAN and the schema's defaults (5000 steps): sharper digits, slower.",
    config: { dataset: { kind: 'mnist' }, model: 'dcgan' },
  },
  {
    name: 'mnist-cdcgan',
    description:
      'MNIST with the class-conditional DCGAN: each sample grid row is one digit, 0 to 9.',
    config: { dataset: { kind: 'mnist' }, model: 'cdcgan' },
  },
  {
    name: 'mnist-vae',
    description:
      'MNIST with the convolutional VAE (decoder = the DCGAN generator), Adam 1e-3: no adversary to balance, blurrier samples.',
    config: { dataset: { kind: 'mnist' }, model: 'vae', ...vaeRecipe },
  },
  {
    name: 'mnist-cvae',
    description: 'MNIST with the class-conditional VAE: each sample grid row is one digit, 0 to 9.',
    config: { dataset: { kind: 'mnist' }, model: 'cvae', ...vaeRecipe },
  },
  {
    name: 'emoji-avatars',
    description:
      'Colour emoji avatars (64x64 RGB, one grid row per category) with the ResNet cGAN: spectral norm, hinge loss, R1, DiffAugment, EMA.',
    config: {
      dataset: { kind: 'emoji' },
      model: 'resnet-cgan',
      latentDim: 128,
      loss: 'hinge',
      r1Gamma: 0.2,
      diffAugment: 'color,translation,cutout',
      batchSize: 32,
      // SNGAN's learning rate, stated: the DCGAN default (4e-4) was tuned on MNIST, not here.
      lrG: 2e-4,
      lrD: 2e-4,
      beta1: 0,
      beta2: 0.999,
      steps: 5000,
      sampleEvery: 250,
      // The emoji classifier ranks blurred averages above sharp avatars (docs/vae.md).
      evalJudge: true,
    },
  },
  {
    name: 'ring8-toy',
    description:
      'The 8-Gaussian ring with the toy MLP (the settings of gan-core ring test), scored by mode coverage.',
    config: {
      dataset: { kind: 'ring8' },
      model: 'toy-mlp',
      latentDim: 8,
      r1Gamma: 0.1,
      lrG: 2e-3,
      lrD: 2e-3,
      batchSize: 256,
      steps: 1000,
      sampleEvery: 250,
      evalEvery: 250,
    },
  },
] as const satisfies readonly TrainingPreset[];

/** Names of the {@link TRAINING_PRESETS}. */
export type TrainingPresetName = (typeof TRAINING_PRESETS)[number]['name'];

/** The preset the dashboard's launch form starts from. */
export const DEFAULT_TRAINING_PRESET: TrainingPresetName = 'mnist-mlp-quick';

/**
 * The preset called `name`.
 * @throws Error naming the known presets when there is none by that name.
 */
export function trainingPreset(name: string): TrainingPreset {
  const preset = TRAINING_PRESETS.find((p) => p.name === name);
  if (preset === undefined)
    throw new Error(
      `unknown preset '${name}' (one of ${TRAINING_PRESETS.map((p) => p.name).join(', ')})`,
    );
  return preset;
}

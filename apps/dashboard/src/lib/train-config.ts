/**
 * The training-run config schema. It mirrors `trainConfigSchema` in @ganmod/gan-core
 * (packages/gan-core/src/config.ts) field for field; gan-core's entry point pulls in TensorFlow.js,
 * which must not enter the dashboard's client bundle, so this copy stays until gan-core exports the
 * schema from a tfjs-free subpath. Keep the two in step (the trainer re-validates every claimed run).
 */
import { z } from 'zod';

function ranged(field: string, min: number, max: number, opts: { int?: boolean } = {}) {
  const range = `${field} must be ${opts.int === true ? 'an integer ' : ''}between ${min} and ${max}`;
  let schema = z.number({ error: `${field} must be a number` });
  if (opts.int === true) schema = schema.int({ error: range });
  return schema.min(min, { error: range }).max(max, { error: range });
}

function positive(field: string, max: number) {
  const range = `${field} must be greater than 0 and at most ${max}`;
  return z
    .number({ error: `${field} must be a number` })
    .gt(0, { error: range })
    .max(max, { error: range });
}

export const datasetKinds = ['mnist', 'fashion-mnist', 'emoji', 'folder'] as const;
export const modelKinds = ['mlp', 'dcgan', 'cdcgan'] as const;
export const lossKinds = ['bce', 'hinge', 'wgan-gp'] as const;
export const augmentPolicies = ['color', 'translation', 'cutout'] as const;

export const datasetSpecSchema = z
  .object({
    kind: z.enum(datasetKinds, { error: `dataset.kind must be one of ${datasetKinds.join(', ')}` }),
    path: z.string().min(1, { error: 'dataset.path must not be empty' }).optional(),
  })
  .strict();

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
    labelSmoothing: ranged('labelSmoothing', 0, 0.5).default(0),
    gpWeight: ranged('gpWeight', 0, 1000).default(10),
    r1Gamma: ranged('r1Gamma', 0, 1000).default(0),
    diffAugment: z
      .array(z.enum(augmentPolicies))
      .transform((l) => [...new Set(l)])
      .default([]),
    batchSize: ranged('batchSize', 1, 1024, { int: true }).default(64),
    steps: ranged('steps', 1, 10_000_000, { int: true }).default(5000),
    dSteps: ranged('dSteps', 1, 10, { int: true }).default(1),
    lrG: positive('lrG', 1).default(2e-4),
    lrD: positive('lrD', 1).default(2e-4),
    beta1: ranged('beta1', 0, 0.9999).default(0.5),
    beta2: ranged('beta2', 0, 0.99999).default(0.999),
    emaDecay: ranged('emaDecay', 0, 0.99999).default(0.999),
    seed: ranged('seed', 0, 2 ** 32 - 1, { int: true }).default(0),
    sampleEvery: ranged('sampleEvery', 0, 10_000_000, { int: true }).default(500),
    checkpointEvery: ranged('checkpointEvery', 0, 10_000_000, { int: true }).default(1000),
    checkpointKeep: ranged('checkpointKeep', 1, 1000, { int: true }).default(3),
    evalEvery: ranged('evalEvery', 0, 10_000_000, { int: true }).default(0),
    sampleCount: ranged('sampleCount', 1, 1024, { int: true }).default(64),
    watchdog: z
      .object({
        enabled: z.boolean().default(true),
        collapsePatience: ranged('watchdog.collapsePatience', 1, 1_000_000, { int: true }).default(
          200,
        ),
        collapseDLoss: ranged('watchdog.collapseDLoss', 0, 10).default(1e-3),
        collapseGLoss: ranged('watchdog.collapseGLoss', 0, 1e6).default(15),
      })
      .strict()
      .prefault({}),
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
    if (c.dataset.kind === 'folder' && !c.dataset.path) {
      ctx.addIssue({
        code: 'custom',
        path: ['dataset', 'path'],
        message: 'A folder dataset needs a path',
      });
    }
  });

export type TrainConfig = z.output<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/** Field-path -> first message, for showing zod issues next to form inputs. */
export function issuesByPath(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.') || '(root)';
    out[path] ??= issue.message;
  }
  return out;
}

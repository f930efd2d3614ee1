/**
 * The dataset spec: a plain, JSON-serialisable description of which dataset to load, validated by
 * zod so a trainer config can embed it. This module imports no TensorFlow.js, so browser bundles
 * (the dashboard's launch form) can use it through `@ganmod/datasets/spec`.
 */
import { z } from 'zod';
import { MAX_IMAGE_SIDE } from './checks.js';
import { DatasetError } from './errors.js';

const split = z.enum(['train', 'test']).default('train');
const limit = z.int().min(1).optional();
const size = z.int().min(1).max(MAX_IMAGE_SIDE).optional();
const channels = z
  .union([z.literal(1), z.literal(3)], { error: 'must be 1 (gray) or 3 (RGB)' })
  .optional();
const classes = z.array(z.string().min(1)).min(1).optional();
const testFraction = z.number().min(0).lt(1).optional();
const byte = z.int().min(0).max(255);
const background = z
  .union(
    [
      z.string().regex(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i, "must be '#rgb' or '#rrggbb'"),
      z.tuple([byte, byte, byte]),
    ],
    {
      error: "must be '#rgb', '#rrggbb' or [r, g, b] with 0..255 integers",
    },
  )
  .optional();

const idxSpec = { split, limit, size, channels, classes, path: z.string().min(1).optional() };

/**
 * zod schema of a {@link DatasetSpec}. Unknown fields are rejected, so a typo in a config is an
 * error, not a silently ignored option.
 */
export const datasetSpecSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('mnist'), ...idxSpec }),
    z.strictObject({ kind: z.literal('fashion-mnist'), ...idxSpec }),
    z.strictObject({
      kind: z.literal('emoji'),
      split,
      limit,
      size,
      channels,
      classes,
      background,
      testFraction,
      skinTones: z.boolean().optional(),
    }),
    z.strictObject({
      kind: z.literal('folder'),
      path: z.string().min(1),
      split,
      limit,
      size,
      channels,
      classes,
      background,
      testFraction,
      labelsFromSubfolders: z.boolean().optional(),
      fit: z.enum(['cover', 'contain', 'fill']).optional(),
      maxPixels: z.int().min(1).optional(),
    }),
    z.strictObject({ kind: z.literal('ring8'), split, limit, seed: z.int().optional() }),
    z.strictObject({ kind: z.literal('grid25'), split, limit, seed: z.int().optional() }),
  ],
  { error: "must be one of 'mnist', 'fashion-mnist', 'emoji', 'folder', 'ring8', 'grid25'" },
);

/** A validated dataset spec (defaults applied). */
export type DatasetSpec = z.output<typeof datasetSpecSchema>;

/** A dataset spec as written in a config (optional fields may be left out). */
export type DatasetSpecInput = z.input<typeof datasetSpecSchema>;

/** Dataset kinds a spec can name. */
export type DatasetKind = DatasetSpec['kind'];

/**
 * Validate `input` as a dataset spec.
 * @throws DatasetError whose message names each bad field, e.g. `size: Too big: expected ...`;
 *   `field` holds the first one.
 */
export function parseDatasetSpec(input: unknown): DatasetSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new DatasetError('invalid dataset spec: expected an object with a `kind` field');
  }
  const result = datasetSpecSchema.safeParse(input);
  if (result.success) return result.data;
  const kind = (input as { kind?: unknown }).kind;
  const problems = result.error.issues.map((issue) => {
    // An unknown key has an empty path: name the key itself, so typos are easy to spot.
    if (issue.code === 'unrecognized_keys') {
      return {
        field: issue.keys[0] ?? '',
        text: `${issue.keys.join(', ')}: not a field of a '${String(kind)}' spec`,
      };
    }
    const field = issue.path.map(String).join('.');
    return { field, text: field ? `${field}: ${issue.message}` : issue.message };
  });
  const first = problems[0]?.field;
  throw new DatasetError(
    `invalid dataset spec: ${problems.map((p) => p.text).join('; ')}`,
    first ? { field: first } : {},
  );
}

export { EMOJI_CATEGORIES, FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES } from './class-names.js';

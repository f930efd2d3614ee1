/**
 * The dataset spec: a plain, JSON-serialisable description of which dataset to load, validated by
 * zod so a trainer config can embed it. This module imports no TensorFlow.js, so browser bundles
 * (the dashboard's launch form) can use it through `@ganmod/datasets/spec`.
 */
import { z } from 'zod';
import { MAX_IMAGE_SIDE } from './checks.js';
import { DatasetError } from './errors.js';

const split = z
  .enum(['train', 'test'])
  .default('train')
  .describe('Which part of the dataset to load.');
const limit = z.int().min(1).optional().describe('Use only the first N images (points).');
const size = z
  .int()
  .min(1)
  .max(MAX_IMAGE_SIDE)
  .optional()
  .describe('Resize images to this side length (px).');
const channels = z
  .union([z.literal(1), z.literal(3)], { error: 'must be 1 (gray) or 3 (RGB)' })
  .optional()
  .describe('1 = gray, 3 = RGB.');
const classes = z
  .array(z.string().min(1))
  .min(1)
  .optional()
  .describe('Keep only these classes (names, comma-separated).');
const testFraction = z
  .number()
  .min(0)
  .lt(1)
  .optional()
  .describe('Share of the images held out as the test split.');
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
  .optional()
  .describe('#rgb or #rrggbb behind transparent pixels.');
/** The same description for the optional (IDX) and the required (folder) `path`. */
const pathHelp =
  'A folder under the datasets root, GANMOD_DATASETS_DIR (default <data>/datasets): the images (folder) or the IDX files; relative paths start there.';

const pointSeed = z.int().optional().describe('Seed of the sampled points.');

const idxSpec = {
  split,
  limit,
  size,
  channels,
  classes,
  path: z.string().min(1).optional().describe(pathHelp),
};

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
      skinTones: z.boolean().optional().describe('Include the skin-tone variants (default on).'),
    }),
    z.strictObject({
      kind: z.literal('folder'),
      path: z.string().min(1).describe(pathHelp),
      split,
      limit,
      size,
      channels,
      classes,
      background,
      testFraction,
      labelsFromSubfolders: z
        .boolean()
        .optional()
        .describe('Label each image by its top-level sub-folder (for class-conditional models).'),
      fit: z
        .enum(['cover', 'contain', 'fill'])
        .optional()
        .describe('cover (centre crop, default), contain (letterbox) or fill (stretch).'),
      maxPixels: z
        .int()
        .min(1)
        .optional()
        .describe('Skip images with more pixels than this (default 40 megapixels).'),
    }),
    z.strictObject({ kind: z.literal('ring8'), split, limit, seed: pointSeed }),
    z.strictObject({ kind: z.literal('grid25'), split, limit, seed: pointSeed }),
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

import { z } from 'zod';

/** Bumped when the saved layout or the architecture changes; older caches are retrained. */
export const EXTRACTOR_FORMAT_VERSION = 1;

/** Metadata saved next to a metric classifier (`extractor.json`). */
export const extractorInfoSchema = z.object({
  formatVersion: z.literal(EXTRACTOR_FORMAT_VERSION),
  /** Cache key, e.g. `mnist-28x28x1`. */
  key: z.string().min(1),
  datasetName: z.string(),
  shape: z.tuple([
    z.number().int().positive(),
    z.number().int().positive(),
    z.number().int().positive(),
  ]),
  classNames: z.array(z.string()).min(2),
  architecture: z.enum(['cnn', 'mlp']),
  featureDim: z.number().int().positive(),
  /** Top-1 accuracy on the held-out (test) split. */
  testAccuracy: z.number().min(0).max(1),
  testSamples: z.number().int().nonnegative(),
  trainSamples: z.number().int().positive(),
  epochs: z.number().int().positive(),
  /** TF.js backend the classifier was trained on. */
  backend: z.string(),
  trainingSeconds: z.number().nonnegative(),
  createdAt: z.string(),
});

/** Metadata of a trained metric classifier. */
export type ExtractorInfo = z.infer<typeof extractorInfoSchema>;

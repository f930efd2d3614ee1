/**
 * The training-run config schema is the trainer's own (`@ganmod/gan-core/config`, free of
 * TensorFlow.js so the browser can load it): the launch form validates with exactly what the
 * worker will accept.
 */
import type { z } from 'zod';

export {
  trainConfigSchema,
  type TrainConfig,
  type TrainConfigInput,
} from '@ganmod/gan-core/config';

/** Field-path -> first message, for showing zod issues next to form inputs. */
export function issuesByPath(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.') || '(root)';
    out[path] ??= issue.message;
  }
  return out;
}

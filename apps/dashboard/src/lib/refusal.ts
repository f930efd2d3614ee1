import { INPUT_DETECTOR } from '@ganmod/moderation/contract';

/**
 * Why the moderation pipeline refused an item's input, as a moderator should read it first
 * ("image refused: PNG header declares 50000x50000 = ... pixels"), or null when it did not.
 * The scorer stores a refusal as the `input` detector's entry of the item's reasons, with the
 * validation error's code as `label` and its message as `reason`.
 */
export function refusalOf(reasons: unknown): string | null {
  if (!Array.isArray(reasons)) return null;
  for (const entry of reasons as unknown[]) {
    if (!entry || typeof entry !== 'object') continue;
    const r = entry as Record<string, unknown>;
    if (r.detector !== INPUT_DETECTOR) continue;
    const code = typeof r.label === 'string' ? r.label : '';
    const subject = /caption/i.test(code) ? 'caption' : 'image';
    const message = typeof r.reason === 'string' && r.reason ? r.reason : code || 'invalid input';
    return `${subject} refused: ${message}`;
  }
  return null;
}

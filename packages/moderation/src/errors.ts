/**
 * Why an item was refused before any detector ran. Stable strings: API clients and the dashboard
 * switch on them, so only add codes, never rename one.
 */
export const INPUT_ERROR_CODES = [
  'INVALID_ITEM',
  'EMPTY',
  'TRUNCATED',
  'UNSUPPORTED_TYPE',
  'TOO_MANY_PIXELS',
  'TOO_LARGE',
  'CORRUPT',
  'CAPTION_TOO_LONG',
] as const;

/** One of {@link INPUT_ERROR_CODES}. */
export type InputErrorCode = (typeof INPUT_ERROR_CODES)[number];

/**
 * Thrown when a submitted item cannot be moderated as given (bad bytes, oversized, wrong type).
 * The message is meant for the submitting developer: it names the problem and the limit.
 */
export class ModerationInputError extends Error {
  override readonly name = 'ModerationInputError';

  constructor(
    /** Machine-readable reason. */
    readonly code: InputErrorCode,
    message: string,
    /** Evidence, e.g. `{ width, height, maxPixels }`. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** Thrown for misuse of the library itself: bad config, malformed hash, model files missing. */
export class ModerationConfigError extends Error {
  override readonly name = 'ModerationConfigError';
}

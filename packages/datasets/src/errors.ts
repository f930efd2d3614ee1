/**
 * Thrown for every problem this package detects in its input: a bad option, a missing or malformed
 * data file, an empty result. `field` names the offending option or spec field when there is one.
 */
export class DatasetError extends Error {
  /** The option or spec field at fault (e.g. `size`, `path`), when the problem is tied to one. */
  readonly field: string | undefined;

  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DatasetError';
    this.field = options.field;
  }
}

/** Option checks for loaders called directly (the zod spec checks the same things up front). */
import { DatasetError } from './errors.js';

/** Largest image side accepted by the resizing loaders. */
export const MAX_IMAGE_SIDE = 1024;

/** `value` when it is an integer in [min, max], else a DatasetError naming `field`. */
export function checkInteger(
  value: number,
  field: string,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
    throw new DatasetError(`${field} must be an integer ${range}, got ${value}`, { field });
  }
  return value;
}

/** `channels` when it is 1 (gray) or 3 (RGB). */
export function checkChannels(value: number, field = 'channels'): 1 | 3 {
  if (value !== 1 && value !== 3) {
    throw new DatasetError(`${field} must be 1 (gray) or 3 (RGB), got ${value}`, { field });
  }
  return value;
}

/** `value` when it is 'train' or 'test'. */
export function checkSplit(value: string, field = 'split'): 'train' | 'test' {
  if (value !== 'train' && value !== 'test') {
    throw new DatasetError(`${field} must be 'train' or 'test', got '${value}'`, { field });
  }
  return value;
}

/** A fraction in [0, 1). */
export function checkFraction(value: number, field: string): number {
  if (!(value >= 0 && value < 1)) {
    throw new DatasetError(`${field} must be in [0, 1), got ${value}`, { field });
  }
  return value;
}

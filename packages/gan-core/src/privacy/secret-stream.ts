/**
 * The secret randomness of DP-SGD: which examples each D update samples, and the Gaussian noise it
 * adds. Both must be unpredictable to whoever sees the released generator and the run's config —
 * the config's seed is public, and subsampling amplifies privacy only when the sample is secret —
 * yet a resumed run must draw what the uninterrupted one would. So they come from AES-256-CTR
 * keyed by a per-run random key ({@link newPrivacyKey}), kept with the checkpoints (which stay
 * private to the operator, like D), with the purpose and the update number in the counter block.
 */
import { createCipheriv, randomBytes } from 'node:crypto';

import { gaussianFromWords } from './gaussian.js';

/** Bytes of a run's privacy key. */
export const PRIVACY_KEY_BYTES = 32;

/** A fresh key from the OS CSPRNG. */
export function newPrivacyKey(): Uint8Array {
  return new Uint8Array(randomBytes(PRIVACY_KEY_BYTES));
}

const POISSON = 1;
const NOISE = 2;

/**
 * `count` uniform 32-bit words of the keyed stream (purpose, a, b): the counter block is
 * [purpose, a, b, block] big-endian, so streams never overlap below 2^32 blocks (64 GB) each.
 */
function keyedWords(key: Uint8Array, purpose: number, a: number, b: number, count: number) {
  if (key.length !== PRIVACY_KEY_BYTES)
    throw new Error(`privacy key must be ${PRIVACY_KEY_BYTES} bytes, got ${key.length}`);
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(purpose, 0);
  iv.writeUInt32BE(a >>> 0, 4);
  iv.writeUInt32BE(b >>> 0, 8);
  const bytes = createCipheriv('aes-256-ctr', key, iv).update(Buffer.alloc(count * 4));
  // A copy: Buffer views are not always 4-byte aligned.
  return new Uint32Array(Uint8Array.from(bytes).buffer);
}

/**
 * The Poisson sample of D update `update`: every index of 0..size-1 independently with
 * probability `rate` (a uniform 32-bit word below rate·2^32), from the secret keyed stream.
 */
export function secretPoissonSample(
  size: number,
  rate: number,
  key: Uint8Array,
  update: number,
): Int32Array {
  const words = keyedWords(key, POISSON, update, 0, size);
  const threshold = rate * 2 ** 32;
  const picked: number[] = [];
  for (let i = 0; i < size; i++) if ((words[i] as number) < threshold) picked.push(i);
  return Int32Array.from(picked);
}

/**
 * `count` standard normal draws for tensor `index` of D update `update` (Box–Muller on 53-bit
 * uniforms in (0, 1), so never log 0), from the secret keyed stream.
 */
export function secretNormals(
  count: number,
  key: Uint8Array,
  update: number,
  index: number,
): Float32Array {
  const words = keyedWords(key, NOISE, update, index, Math.ceil(count / 2) * 4);
  let next = 0;
  const gaussian = gaussianFromWords(() => words[next++] as number);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = gaussian();
  return out;
}

/**
 * 256-bit hashes as eight 32-bit words, with PDQ's hex format and fast Hamming distance.
 *
 * PDQ numbers bits 0..255 and groups them into sixteen 16-bit slots (slot i = DCT row i); its hex
 * string prints slot 15 first. Word w of a {@link Hash256} holds slots 2w (low half) and 2w+1.
 */
import { popcount32 } from '@ganmod/gan-core';
import { ModerationConfigError } from '../errors.js';

/** A 256-bit hash: 8 unsigned 32-bit words, bit k in word k >> 5 at position k & 31. */
export type Hash256 = Uint32Array;

/** Number of bits in a PDQ hash. */
export const HASH_BITS = 256;

const HEX_RE = /^[0-9a-f]{64}$/i;

/** Parses PDQ's 64-digit hex form. @throws {@link ModerationConfigError} on malformed input. */
export function hashFromHex(hex: string): Hash256 {
  if (!HEX_RE.test(hex)) {
    throw new ModerationConfigError(
      `PDQ hash must be 64 hex digits, got ${JSON.stringify(hex.slice(0, 80))} (${hex.length} chars)`,
    );
  }
  const words = new Uint32Array(8);
  for (let slot = 0; slot < 16; slot++) {
    const start = (15 - slot) * 4;
    const value = parseInt(hex.slice(start, start + 4), 16);
    const w = slot >> 1;
    words[w] = ((words[w] ?? 0) | (slot & 1 ? value << 16 : value)) >>> 0;
  }
  return words;
}

const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const hexScratch = new Uint16Array(64);

/**
 * Formats a hash as PDQ's 64-digit lowercase hex (slot 15 first). One flat string: appending 16
 * pieces would leave a rope of ~860 bytes per hash in V8, which a bank of a million rows keeps.
 */
export function hashToHex(hash: Hash256): string {
  for (let slot = 15, at = 0; slot >= 0; slot--) {
    const word = hash[slot >> 1] ?? 0;
    const value = slot & 1 ? word >>> 16 : word & 0xffff;
    for (let shift = 12; shift >= 0; shift -= 4)
      hexScratch[at++] = HEX_CODES[(value >>> shift) & 15]!;
  }
  return String.fromCharCode.apply(null, hexScratch as unknown as number[]);
}

/** Bits set in a 32-bit word: gan-core's, which its Hamming search uses too. */
export { popcount32 };

/** Hamming distance between two hashes. */
export function hammingDistance(a: Hash256, b: Hash256): number {
  let d = 0;
  for (let i = 0; i < 8; i++) d += popcount32(((a[i] ?? 0) ^ (b[i] ?? 0)) >>> 0);
  return d;
}

/** Sets bit `k` (0..255). */
export function setBit(hash: Hash256, k: number): void {
  const w = k >> 5;
  hash[w] = ((hash[w] ?? 0) | (1 << (k & 31))) >>> 0;
}

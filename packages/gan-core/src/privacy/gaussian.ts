/**
 * Standard normal draws from a stream of uniform 32-bit words: DP-MERF's release (OS CSPRNG words)
 * and DP-SGD's keyed noise (AES-CTR words) share it.
 */

/** A source of standard normal draws (float64). */
export type GaussianSource = () => number;

/** A uniform in (0, 1) from two 32-bit words: 53 random bits plus half a step, never 0 (log 0). */
function uniform53(hi: number, lo: number): number {
  return ((hi >>> 5) * 67108864 + (lo >>> 6) + 0.5) / 9007199254740992;
}

/** Box–Muller: each pair of uniforms gives two normals, r·cos t and then r·sin t. */
export function boxMuller(uniform: () => number): GaussianSource {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const t = 2 * Math.PI * uniform();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

/** Normals from `nextWord` (uniform 32-bit words), four words per pair of draws. */
export function gaussianFromWords(nextWord: () => number): GaussianSource {
  return boxMuller(() => uniform53(nextWord(), nextWord()));
}

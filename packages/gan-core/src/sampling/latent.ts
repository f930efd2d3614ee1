/**
 * Paths between latent vectors in plain JavaScript (no TensorFlow.js, no Node APIs): the
 * workspace's one slerp. Sampling's `interpolate` uses it on tensors' values, and the dashboard's
 * generator playground in the browser through `@ganmod/gan-core/latent`.
 */

/** `spherical` (slerp) or `linear` (lerp) interpolation. */
export type InterpolationMode = 'spherical' | 'linear';

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * `frames` points from `a` to `b` (both ends included). Spherical interpolation keeps the norm
 * typical of Gaussian latents (they live near a sphere); linear passes through low-norm vectors
 * that GANs render poorly. Nearly parallel endpoints fall back to linear (slerp degenerates).
 */
export function interpolateLatents(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  frames: number,
  mode: InterpolationMode = 'spherical',
): Float32Array[] {
  if (a.length !== b.length) {
    throw new RangeError(`latent sizes differ: ${a.length} vs ${b.length}`);
  }
  if (!Number.isInteger(frames) || frames < 2) {
    throw new RangeError(`frames must be an integer >= 2, got ${frames}`);
  }
  const na = Math.sqrt(dot(a, a));
  const nb = Math.sqrt(dot(b, b));
  const cos = Math.min(1, Math.max(-1, dot(a, b) / (na * nb || 1)));
  const omega = Math.acos(cos);
  const linear = mode === 'linear' || Math.sin(omega) < 1e-6;
  return Array.from({ length: frames }, (_, f) => {
    const t = f / (frames - 1);
    const [wa, wb] = linear
      ? [1 - t, t]
      : [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)];
    const out = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = wa * a[i]! + wb * b[i]!;
    return out;
  });
}

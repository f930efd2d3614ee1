/**
 * Latent-space arithmetic for the generator playground, in plain JavaScript so that the same seed
 * gives the same vectors whatever TF.js backend the browser ends up on (and so it is testable
 * without one). The PRNG (mulberry32) and the slerp are the workspace's shared TF-free ones.
 */
import { mulberry32 } from '@ganmod/datasets/prng';
import {
  interpolateLatents,
  latentIntoCluster,
  truncatedNormalFromUniform,
} from '@ganmod/gan-core/latent';

/** Mixes a seed and a stream index into one 32-bit seed (so sample i of seed s is stable). */
function mix(seed: number, stream: number): number {
  let h = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/**
 * The latent vector `index` of `seed`: `dim` standard-normal values (Box-Muller). Vector 0 of a
 * seed is the same in the sample grid and at the ends of an interpolation. A finite `truncation`
 * restricts every value to [-truncation, truncation] (BigGAN's truncation trick, by inverse-CDF
 * sampling of the same seed's uniforms): more typical, less varied images.
 */
export function latentVector(
  seed: number,
  index: number,
  dim: number,
  truncation = Infinity,
): Float32Array {
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`latent size must be > 0, got ${dim}`);
  const next = mulberry32(mix(seed, index));
  const out = new Float32Array(dim);
  if (truncation !== Infinity) {
    const toNormal = truncatedNormalFromUniform(truncation);
    for (let i = 0; i < dim; i++) out[i] = toNormal(next());
    return out;
  }
  for (let i = 0; i < dim; i += 2) {
    const u = Math.max(next(), Number.MIN_VALUE);
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < dim) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * `count` orthonormal directions in a `dim`-dimensional latent space, drawn from `seed`
 * (Gram-Schmidt on Gaussian vectors): moving along one does not move along the others.
 */
export function orthonormalDirections(seed: number, count: number, dim: number): Float32Array[] {
  if (count > dim)
    throw new Error(`cannot have ${count} orthogonal directions in ${dim} dimensions`);
  const out: Float32Array[] = [];
  for (let k = 0; out.length < count; k++) {
    const v = latentVector(seed ^ 0x5bd1e995, k, dim);
    for (const u of out) {
      const p = dot(v, u);
      for (let i = 0; i < dim; i++) v[i] = v[i]! - p * u[i]!;
    }
    const norm = Math.sqrt(dot(v, v));
    if (norm < 1e-6) continue; // (numerically) dependent on the others: draw again
    for (let i = 0; i < dim; i++) v[i] = v[i]! / norm;
    out.push(v);
  }
  return out;
}

/** `z + Σ amounts[k] · directions[k]` (a new vector). */
export function moveAlong(
  z: Float32Array,
  directions: readonly Float32Array[],
  amounts: readonly number[],
): Float32Array {
  const out = Float32Array.from(z);
  directions.forEach((d, k) => {
    const a = amounts[k] ?? 0;
    if (a !== 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! + a * d[i]!;
  });
  return out;
}

/**
 * `frames` points from `a` to `b` (both ends included). Spherical interpolation keeps the norm
 * typical of Gaussian latents; linear passes through low-norm vectors that GANs render poorly.
 */
export function interpolate(
  a: Float32Array,
  b: Float32Array,
  frames: number,
  mode: 'spherical' | 'linear' = 'spherical',
): Float32Array[] {
  if (a.length !== b.length) throw new Error('endpoints have different sizes');
  if (!Number.isInteger(frames) || frames < 2) throw new Error('need at least 2 frames');
  return interpolateLatents(a, b, frames, mode);
}

/**
 * Writes generator output (`n` images of `[h, w, c]`, values in [-1, 1], NHWC) into RGBA pixels
 * laid out as a grid of `cols` columns. Returns the grid's size and pixels.
 */
export function toRgbaGrid(
  data: Float32Array,
  n: number,
  [h, w, c]: readonly [number, number, number],
  cols: number,
): { width: number; height: number; pixels: Uint8ClampedArray } {
  if (data.length !== n * h * w * c)
    throw new Error(`expected ${n}×${h}×${w}×${c} values, got ${data.length}`);
  const rows = Math.ceil(n / cols);
  const width = cols * w;
  const height = rows * h;
  const pixels = new Uint8ClampedArray(width * height * 4);
  const byte = (v: number) => Math.round(((v + 1) / 2) * 255);
  for (let k = 0; k < n; k++) {
    const ox = (k % cols) * w;
    const oy = Math.floor(k / cols) * h;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = ((k * h + y) * w + x) * c;
        const dst = ((oy + y) * width + ox + x) * 4;
        const r = byte(data[src]!);
        pixels[dst] = r;
        pixels[dst + 1] = c >= 3 ? byte(data[src + 1]!) : r;
        pixels[dst + 2] = c >= 3 ? byte(data[src + 2]!) : r;
        pixels[dst + 3] = 255;
      }
    }
  }
  return { width, height, pixels };
}

/**
 * `z` with its first value moved into cluster `cluster` of a self-conditioned generator's
 * `thresholds` (gan-core's `latentIntoCluster`: the same latent keeps its rank inside the
 * cluster); `z` itself when there are no thresholds or `cluster` is -1 (any).
 */
export function inCluster(
  z: Float32Array,
  thresholds: readonly number[] | null,
  cluster: number,
): Float32Array {
  if (thresholds === null || cluster < 0) return z;
  const out = Float32Array.from(z);
  out[0] = latentIntoCluster(z[0] ?? 0, thresholds, cluster);
  return out;
}

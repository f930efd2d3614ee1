/**
 * The two special functions the Rényi-DP accountant needs, in double precision: log|Γ(x)| and
 * log erfc(x), the latter accurate far into the tail where erfc itself underflows.
 */

// Lanczos approximation, g = 7, n = 9 (relative error ~1e-15 for x > 0.5).
const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** log|Γ(x)| for any real x that is not a non-positive integer (there it is +∞), like scipy's `gammaln`. */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
    const s = Math.sin(Math.PI * x);
    if (s === 0) return Infinity;
    return Math.log(Math.PI / Math.abs(s)) - logGamma(1 - x);
  }
  const y = x - 1;
  let a = lanczos[0] as number;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += (lanczos[i] as number) / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log of the binomial coefficient C(n, k) for real n, k (generalised through Γ). */
export function logComb(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** erf(x) by its Taylor series: used only for |x| <= 1, where it converges fast and stably. */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let n = 1; n < 60; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/**
 * log(erfc(x)·e^{x²}·√π) for x >= 1 by the continued fraction
 * erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated with Lentz's method.
 */
function logScaledErfcCf(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const an = n / 2;
    d = x + an * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + an / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return -Math.log(f);
}

/** log(erfc(x)) for any real x, accurate where erfc(x) underflows (large positive x). */
export function logErfc(x: number): number {
  if (x >= 1) return -x * x - 0.5 * Math.log(Math.PI) + logScaledErfcCf(x);
  if (x > -1) return Math.log1p(-erfSeries(x));
  // erfc(x) = 2 - erfc(-x), erfc(-x) small and accurate.
  return Math.log(2 - Math.exp(logErfc(-x)));
}

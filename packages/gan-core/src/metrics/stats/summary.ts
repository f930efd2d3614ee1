/** Mean and standard deviation of repeated estimates (over subsets or splits). */
export interface MeanStd {
  readonly mean: number;
  /** Population standard deviation (numpy's default `np.std`, as torch-fidelity reports). */
  readonly std: number;
}

/** Mean and population standard deviation of `values`. */
export function meanStd(values: ArrayLike<number>): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += ((values[i] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(sq / n) };
}

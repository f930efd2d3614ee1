/** Curve helpers for the run charts: smoothing, grouping metric names, merging series for recharts. */

export interface Point {
  step: number;
  value: number;
}

/**
 * Exponential moving average with the debiasing TensorBoard uses, so the first points are not
 * dragged toward zero. `weight` 0 returns the input; 0.99 is very smooth.
 */
export function smooth(points: readonly Point[], weight: number): Point[] {
  if (weight <= 0) return [...points];
  let last = 0;
  let n = 0;
  return points.map((p) => {
    if (!Number.isFinite(p.value)) return p;
    last = last * weight + (1 - weight) * p.value;
    n++;
    return { step: p.step, value: last / (1 - weight ** n) };
  });
}

/**
 * Losses from gan-core's step callback (a GAN's `d`, `g`, `gp`, `r1`; a VAE's `loss`, `recon`,
 * `kl`) or anything named like a loss. A VAE's `elbo` is a bound to maximise: its own chart.
 */
export function isLoss(name: string): boolean {
  return ['d', 'g', 'gp', 'r1', 'recon', 'kl'].includes(name) || /loss/i.test(name);
}

export function isThroughput(name: string): boolean {
  return name === 'steps_per_sec';
}

/** Rows keyed by step with one column per series, as recharts' LineChart wants them. */
export function mergeSeries(
  series: readonly { key: string; points: readonly Point[] }[],
): Record<string, number>[] {
  const rows = new Map<number, Record<string, number>>();
  for (const s of series) {
    for (const p of s.points) {
      const row = rows.get(p.step) ?? { step: p.step };
      row[s.key] = p.value;
      rows.set(p.step, row);
    }
  }
  return [...rows.values()].sort((a, b) => (a.step ?? 0) - (b.step ?? 0));
}

/** Groups flat metric rows into one sorted series per name. */
export function byName(
  rows: readonly { name: string; step: number; value: number }[],
): Map<string, Point[]> {
  const out = new Map<string, Point[]>();
  for (const r of rows) {
    const list = out.get(r.name) ?? [];
    list.push({ step: r.step, value: r.value });
    out.set(r.name, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.step - b.step);
  return out;
}

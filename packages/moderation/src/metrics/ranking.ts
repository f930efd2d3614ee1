/**
 * Ranking metrics for detector scores: average precision, ROC AUC, precision/recall at a threshold,
 * and threshold selection. Written here (no dependency) and tested against hand-computed values.
 */

/** A scored, labelled example: `positive` = the harm is really there. */
export interface ScoredLabel {
  score: number;
  positive: boolean;
}

/** Precision / recall / F1 at one threshold (predict positive when score >= threshold). */
export interface ThresholdMetrics {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
}

function countPositives(data: readonly ScoredLabel[]): number {
  return data.reduce((n, d) => n + (d.positive ? 1 : 0), 0);
}

/** NaN scores have no order: refuse them instead of ranking them arbitrarily. */
function assertFiniteScores(data: readonly ScoredLabel[]): void {
  const bad = data.findIndex((d) => !Number.isFinite(d.score));
  if (bad >= 0)
    throw new RangeError(`score ${data[bad]!.score} at index ${bad} is not a finite number`);
}

/**
 * Average precision: the mean of precision at each positive's rank, with tied scores handled as one
 * step (the sklearn definition: sum over thresholds of (R_n - R_{n-1}) * P_n). NaN without positives.
 * @throws RangeError when a score is not finite.
 */
export function averagePrecision(data: readonly ScoredLabel[]): number {
  assertFiniteScores(data);
  const positives = countPositives(data);
  if (positives === 0) return NaN;
  const sorted = [...data].sort((a, b) => b.score - a.score);
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < sorted.length; i++) {
    const d = sorted[i]!;
    if (d.positive) tp++;
    else fp++;
    const next = sorted[i + 1];
    if (next && next.score === d.score) continue; // close the tie group first
    const recall = tp / positives;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

/**
 * ROC AUC = P(score of a random positive > score of a random negative), ties counting half
 * (Mann-Whitney U with mid-ranks). NaN when either class is missing.
 * @throws RangeError when a score is not finite.
 */
export function rocAuc(data: readonly ScoredLabel[]): number {
  assertFiniteScores(data);
  const positives = countPositives(data);
  const negatives = data.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  const sorted = [...data].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const midRank = (i + 1 + j) / 2; // ranks are 1-based
    for (let k = i; k < j; k++) if (sorted[k]!.positive) rankSum += midRank;
    i = j;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Confusion counts and precision/recall/F1 at `threshold`. Precision of no predictions is 1. */
export function metricsAt(data: readonly ScoredLabel[], threshold: number): ThresholdMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const d of data) {
    const predicted = d.score >= threshold;
    if (predicted && d.positive) tp++;
    else if (predicted) fp++;
    else if (d.positive) fn++;
    else tn++;
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    threshold,
    precision,
    recall,
    f1,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
  };
}

/** Metrics at every distinct score used as a threshold, highest threshold first. */
export function thresholdSweep(data: readonly ScoredLabel[]): ThresholdMetrics[] {
  const thresholds = [...new Set(data.map((d) => d.score))].sort((a, b) => b - a);
  return thresholds.map((t) => metricsAt(data, t));
}

/** The threshold with the best F1 (ties: the higher threshold, fewer false positives). */
export function bestF1Threshold(data: readonly ScoredLabel[]): ThresholdMetrics | undefined {
  let best: ThresholdMetrics | undefined;
  for (const m of thresholdSweep(data)) if (!best || m.f1 > best.f1) best = m;
  return best;
}

/**
 * The lowest threshold whose precision is at least `target` (so the highest recall at that
 * precision); undefined if no threshold reaches it.
 */
export function thresholdForPrecision(
  data: readonly ScoredLabel[],
  target: number,
): ThresholdMetrics | undefined {
  let best: ThresholdMetrics | undefined;
  for (const m of thresholdSweep(data)) {
    if (m.truePositives > 0 && m.precision >= target && (!best || m.recall > best.recall)) best = m;
  }
  return best;
}

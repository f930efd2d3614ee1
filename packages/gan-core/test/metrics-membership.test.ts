import { beforeAll, describe, expect, it } from 'vitest';

import { lowerIsMemberAuc, membershipAttack } from '../src/metrics/membership.js';
import { featureMatrix } from '../src/metrics/stats/matrix.js';
import { CounterRng } from '../src/train/prng.js';
import { setupBackend } from './gan-helpers.js';

beforeAll(() => setupBackend());

/** `rows` Gaussian rows of `cols` values from a seeded stream (Box-Muller). */
function gaussian(rows: number, cols: number, seed: number): Float32Array {
  const rng = new CounterRng(seed);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) {
    const u = Math.max(rng.nextFloat(), 1e-12);
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
  }
  return out;
}

describe('membership-inference AUC', () => {
  it('is the Mann-Whitney statistic, ties counting half', () => {
    expect(lowerIsMemberAuc([1, 2], [3, 4])).toBe(1);
    expect(lowerIsMemberAuc([3, 4], [1, 2])).toBe(0);
    expect(lowerIsMemberAuc([1, 3], [2, 4])).toBe(0.75);
    expect(lowerIsMemberAuc([2], [2])).toBe(0.5);
    expect(() => lowerIsMemberAuc([], [1])).toThrow(/members and non-members/);
  });

  it('finds a generator that copies its training set, and not one that does not', async () => {
    const cols = 16;
    const members = gaussian(300, cols, 1);
    const nonMembers = gaussian(300, cols, 2);
    // A memorising generator: its samples are the members plus a little noise.
    const noise = gaussian(300, cols, 3);
    const copies = members.map((v, i) => v + 0.05 * (noise[i] as number));
    const m = featureMatrix(members, 300, cols);
    const n = featureMatrix(nonMembers, 300, cols);
    const leaky = await membershipAttack({
      generated: featureMatrix(copies, 300, cols),
      members: m,
      nonMembers: n,
    });
    expect(leaky.auc).toBeGreaterThan(0.99);
    expect(leaky.memberMedian).toBeLessThan(leaky.nonMemberMedian);
    // An independent generator of the same distribution leaks nothing: AUC near 0.5.
    const fresh = await membershipAttack({
      generated: featureMatrix(gaussian(300, cols, 4), 300, cols),
      members: m,
      nonMembers: n,
    });
    expect(Math.abs(fresh.auc - 0.5)).toBeLessThan(0.08);
  });
});

/**
 * A distance-to-closest-record membership-inference attack on a generator (as in Chen et al.'s
 * GAN-Leaks, "full black-box"): a real image whose nearest generated sample is unusually close is
 * guessed to have been in the training set. The attack's AUC over training images ("members")
 * versus held-out images of the same distribution ("non-members") measures leakage: 0.5 means the
 * generator tells them apart no better than chance.
 */
import { kNearestNeighbors, type DistanceBlockOptions } from './neighbors.js';
import type { FeatureMatrix } from './stats/matrix.js';

export interface MembershipAttackResult {
  /** P(a member's distance < a non-member's), ties counting half: the attack's ROC AUC. */
  auc: number;
  /** Median distance of members / non-members to their closest generated sample. */
  memberMedian: number;
  nonMemberMedian: number;
  members: number;
  nonMembers: number;
  generated: number;
}

/** ROC AUC of scores where lower means "member": Mann-Whitney U over the two groups, ties 1/2. */
export function lowerIsMemberAuc(
  members: ArrayLike<number>,
  nonMembers: ArrayLike<number>,
): number {
  const all = [
    ...Array.from(members, (v) => ({ v, member: true })),
    ...Array.from(nonMembers, (v) => ({ v, member: false })),
  ].sort((a, b) => a.v - b.v);
  // Rank sum of the members with average ranks for ties, in ascending distance.
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && (all[j] as { v: number }).v === (all[i] as { v: number }).v) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if ((all[k] as { member: boolean }).member) rankSum += rank;
    i = j;
  }
  const m = members.length;
  const n = nonMembers.length;
  if (m === 0 || n === 0) throw new RangeError('the attack needs members and non-members');
  // U counts member/non-member pairs where the member ranks higher (is farther); AUC is the rest.
  const u = rankSum - (m * (m + 1)) / 2;
  return 1 - u / (m * n);
}

const median = (a: Float64Array): number => {
  const s = Float64Array.from(a).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/**
 * Runs the attack: each member and non-member row's Euclidean distance to its nearest row of
 * `generated` (pixels or features, the same space for all three), and the AUC of those distances.
 */
export async function membershipAttack(
  input: { generated: FeatureMatrix; members: FeatureMatrix; nonMembers: FeatureMatrix },
  options: DistanceBlockOptions = {},
): Promise<MembershipAttackResult> {
  const { generated, members, nonMembers } = input;
  const closest = async (q: FeatureMatrix) =>
    (await kNearestNeighbors(q, generated, 1, options)).distances;
  const dm = await closest(members);
  const dn = await closest(nonMembers);
  return {
    auc: lowerIsMemberAuc(dm, dn),
    memberMedian: median(dm),
    nonMemberMedian: median(dn),
    members: members.rows,
    nonMembers: nonMembers.rows,
    generated: generated.rows,
  };
}

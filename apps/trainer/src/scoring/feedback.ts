/**
 * Moderator decisions become labels. For every item whose latest moderator decision is APPROVE
 * (nothing wrong: a negative in every scored category) or REMOVE (a positive in the category its
 * reason code names), the item's detector scores are paired with that label; ESCALATE leaves the
 * item unlabelled (no final answer yet). From these:
 *
 * - the policy's per-category thresholds are recalibrated (`recalibratePolicy`) and stored as a
 *   new active `ModerationPolicy` version, which the worker's content scorer picks up;
 * - the caption spam model is retrained from the shipped SpamAssassin model plus every labelled
 *   caption (`retrainSpamModel`; always from the shipped base, so re-running never counts a
 *   decision twice), saved as JSON under the artifact store and registered as the active
 *   `SPAM_TEXT` `DetectorModel`.
 */
import type { Db, Prisma } from '@ganmod/db';
import {
  activateDetectorModel,
  activateModerationPolicy,
  activeModerationPolicy,
} from '@ganmod/db';
import {
  DEFAULT_POLICY,
  compareThresholds,
  evaluateSpamRetraining,
  parsePolicy,
  recalibratePolicy,
  retrainSpamModel,
  type ModeratorFeedback,
  type Policy,
  type Recalibration,
  type SpamRetrainEvaluation,
  type ThresholdComparison,
} from '@ganmod/moderation';
import {
  categoryOfDetector,
  categoryOfRemoveReason,
  MODERATOR_ACTIONS,
  type DetectorCategory,
} from '@ganmod/moderation/contract';
import type { ArtifactStore } from '../artifacts.js';

interface StoredReason {
  detector?: unknown;
  category?: unknown;
  action?: unknown;
}

/** How many decided items fed the labels, by outcome. */
export interface FeedbackCounts {
  approved: number;
  removed: number;
  /** Latest moderator action ESCALATE: skipped. */
  escalated: number;
  /** REMOVE with reason `other` and nothing flagged: no category to credit, skipped. */
  unattributed: number;
}

/** Labels from the decision log, with counts. */
export async function collectFeedback(
  db: Db,
): Promise<{ feedback: ModeratorFeedback[]; counts: FeedbackCounts }> {
  const decisions = await db.decision.findMany({
    where: { actorId: { not: null }, action: { in: [...MODERATOR_ACTIONS] } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { itemId: true, action: true, reasonCode: true },
  });
  const latest = new Map<string, { action: string; reasonCode: string }>();
  for (const d of decisions) latest.set(d.itemId, d);
  const items = await db.contentItem.findMany({
    where: { id: { in: [...latest.keys()] } },
    select: {
      id: true,
      externalId: true,
      caption: true,
      reasons: true,
      scores: { select: { detector: true, score: true } },
    },
  });
  const counts: FeedbackCounts = { approved: 0, removed: 0, escalated: 0, unattributed: 0 };
  const feedback: ModeratorFeedback[] = [];
  for (const item of items) {
    const decision = latest.get(item.id)!;
    if (decision.action === 'ESCALATE') {
      counts.escalated++;
      continue;
    }
    const reasons = Array.isArray(item.reasons) ? (item.reasons as StoredReason[]) : [];
    const categoryOf = (detector: string): DetectorCategory | undefined => {
      const stored = reasons.find((r) => r.detector === detector)?.category;
      return typeof stored === 'string'
        ? (stored as DetectorCategory)
        : categoryOfDetector(detector);
    };
    const results = item.scores.flatMap((s) => {
      const category = categoryOf(s.detector);
      return category ? [{ detector: s.detector, category, score: s.score }] : [];
    });
    let violations: DetectorCategory[] = [];
    if (decision.action === 'REMOVE') {
      const named = categoryOfRemoveReason(decision.reasonCode);
      if (named) violations = [named];
      else {
        // `other`: credit the categories the policy flagged on this item.
        violations = [
          ...new Set(
            reasons
              .filter((r) => r.action === 'REVIEW' || r.action === 'BLOCK')
              .map((r) => r.category)
              .filter((c): c is DetectorCategory => typeof c === 'string'),
          ),
        ];
        if (violations.length === 0) {
          counts.unattributed++;
          continue;
        }
      }
      counts.removed++;
    } else counts.approved++;
    feedback.push({
      externalId: item.externalId,
      ...(item.caption === null ? {} : { caption: item.caption }),
      results,
      violations,
    });
  }
  return { feedback, counts };
}

/** Options of {@link runFeedback}. */
export interface FeedbackOptions {
  /** Compute and report only; store nothing. */
  dryRun?: boolean;
  /** Fewer reviewed items (or reviewed captions) than this leave a category (the spam model) alone. */
  minExamples?: number;
  /** Who ran it (recorded on the rows). */
  createdById?: string | null;
  now?: Date;
}

/** What {@link runFeedback} found and did. */
export interface FeedbackReport {
  counts: FeedbackCounts;
  labelled: number;
  basePolicyVersion: string;
  recalibration: Pick<Recalibration, 'changes' | 'skipped'> & { version: string };
  comparison: ThresholdComparison[];
  spam: (SpamRetrainEvaluation & { spamCaptions: number; hamCaptions: number }) | null;
  spamSkipped?: string;
  stored: {
    policyId?: string;
    policyVersion?: string;
    spamModelId?: string;
    spamModelPath?: string;
  };
}

/** The active stored policy, or the shipped default. */
export async function activePolicy(db: Db): Promise<{ id: string | null; policy: Policy }> {
  const row = await activeModerationPolicy(db);
  return row === null
    ? { id: null, policy: parsePolicy(DEFAULT_POLICY) }
    : { id: row.id, policy: parsePolicy(row.config) };
}

/**
 * Reads the decisions, recalibrates and retrains, and (unless `dryRun`) stores the new policy
 * version and spam model as the active ones.
 */
export async function runFeedback(
  db: Db,
  store: ArtifactStore,
  options: FeedbackOptions = {},
): Promise<FeedbackReport> {
  const minExamples = options.minExamples ?? 20;
  const now = options.now ?? new Date();
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 15);
  const { feedback, counts } = await collectFeedback(db);
  const base = await activePolicy(db);
  const version = `${DEFAULT_POLICY.version}+feedback.${feedback.length}.${stamp}`;
  const recal = recalibratePolicy(base.policy, feedback, { minExamples, version });
  const comparison = compareThresholds(feedback, base.policy, recal.policy);

  const captions = feedback.filter((f) => f.caption !== undefined && f.caption.trim() !== '');
  const spamCaptions = captions.filter((f) => f.violations.includes('spam')).length;
  let spam: FeedbackReport['spam'] = null;
  let spamSkipped: string | undefined;
  if (captions.length < minExamples || spamCaptions === 0 || spamCaptions === captions.length) {
    spamSkipped = `${captions.length} reviewed captions, ${spamCaptions} spam: need ${minExamples}+ with both outcomes`;
  } else {
    spam = {
      ...evaluateSpamRetraining(captions),
      spamCaptions,
      hamCaptions: captions.length - spamCaptions,
    };
  }

  const report: FeedbackReport = {
    counts,
    labelled: feedback.length,
    basePolicyVersion: base.policy.version,
    recalibration: { changes: recal.changes, skipped: recal.skipped, version },
    comparison,
    spam,
    ...(spamSkipped === undefined ? {} : { spamSkipped }),
    stored: {},
  };
  if (options.dryRun) return report;

  if (recal.changes.length > 0) {
    const row = await db.moderationPolicy.create({
      data: {
        version,
        config: recal.policy,
        evaluation: JSON.parse(
          JSON.stringify({
            basePolicyVersion: base.policy.version,
            counts,
            changes: recal.changes,
            skipped: recal.skipped,
            comparison,
          }),
        ) as Prisma.InputJsonObject,
        createdById: options.createdById ?? null,
      },
    });
    await activateModerationPolicy(db, row.id);
    report.stored.policyId = row.id;
    report.stored.policyVersion = version;
  }
  if (spam !== null) {
    const { model } = retrainSpamModel(captions);
    const rel = `detectors/spam-text/naive-bayes-${stamp}.json`;
    await store.write(rel, new TextEncoder().encode(JSON.stringify(model.toJSON())));
    const row = await db.detectorModel.create({
      data: {
        kind: 'SPAM_TEXT',
        name: `spam naive Bayes + ${captions.length} reviewed captions`,
        path: rel,
        status: 'READY',
        evaluation: JSON.parse(JSON.stringify(spam)) as Prisma.InputJsonObject,
        finishedAt: now,
        createdById: options.createdById ?? null,
      },
    });
    await activateDetectorModel(db, row.id);
    report.stored.spamModelId = row.id;
    report.stored.spamModelPath = rel;
  }
  return report;
}

const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));

/** The before/after table and what was stored, as text. */
export function formatFeedbackReport(report: FeedbackReport, dryRun: boolean): string {
  const c = report.counts;
  const lines = [
    `labels: ${report.labelled} items (${c.approved} approved, ${c.removed} removed); skipped ${c.escalated} escalated, ${c.unattributed} removed without a category`,
    `policy ${report.basePolicyVersion} -> ${report.recalibration.changes.length > 0 ? report.recalibration.version : '(unchanged)'}`,
    '',
    'category   level   items  pos  | old thr  prec   recall flagged | new thr  prec   recall flagged',
  ];
  for (const r of report.comparison) {
    const side = (p: ThresholdComparison['before']) =>
      `${(p.threshold > 1 ? 'never' : p.threshold.toFixed(3)).padStart(7)}  ${pct(p.precision)}  ${pct(p.recall)}  ${String(p.flagged).padStart(6)}`;
    lines.push(
      `${r.category.padEnd(10)} ${r.level.padEnd(6)} ${String(r.examples).padStart(6)} ${String(r.positives).padStart(4)}  | ${side(r.before)} | ${side(r.after)}`,
    );
  }
  if (report.comparison.length === 0) lines.push('(no reviewed item has a detector score)');
  for (const s of report.recalibration.skipped) lines.push(`kept ${s.category}: ${s.reason}`);
  lines.push('');
  if (report.spam) {
    const s = report.spam;
    lines.push(
      `spam model: ${s.spamCaptions} spam + ${s.hamCaptions} ham captions; ${s.folds}-fold held-out AP ${pct(s.baseAveragePrecision)} (shipped) -> ${pct(s.retrainedAveragePrecision)} (retrained)`,
    );
  } else lines.push(`spam model kept: ${report.spamSkipped ?? ''}`);
  if (dryRun) lines.push('dry run: nothing stored');
  else {
    if (report.stored.policyVersion)
      lines.push(`stored and activated policy ${report.stored.policyVersion}`);
    if (report.stored.spamModelId)
      lines.push(
        `stored and activated spam model ${report.stored.spamModelId} (${report.stored.spamModelPath})`,
      );
    if (!report.stored.policyVersion && !report.stored.spamModelId) lines.push('nothing to store');
  }
  return lines.join('\n');
}

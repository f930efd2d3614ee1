// Moderator decisions become labels: items scored by the real pipeline, decided by a moderator,
// then `feedback` recalibrates the policy and retrains the spam model, and the scorer uses both.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY } from '@ganmod/moderation';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localArtifactStore } from '../src/artifacts.js';
import { ContentScorer } from '../src/content-scorer.js';
import { collectFeedback, formatFeedbackReport, runFeedback } from '../src/feedback.js';
import { createTestDatabase, type Provider, type TestDatabase } from './databases.js';
import { startCli } from './worker-process.js';

/** Captions of a campaign the e-mail-trained model has never seen, written like real posts. */
const SPAM = [
  'glowskin serum restock today, grab yours before it sells out',
  'restock alert: glowskin serum back in stock, tap to grab yours',
  'the glowskin serum everyone asked for is back, grab yours now',
  'glowskin serum giveaway winners announced, grab yours at the popup',
  'only 50 glowskin serum bottles left, grab yours',
  'glowskin serum bundle deal this weekend, grab yours',
  'dermatologists love the glowskin serum, grab yours today',
  'glowskin serum restock drop at noon, grab yours',
  'your skin deserves glowskin serum, grab yours while it lasts',
  'glowskin serum is trending again, grab yours before the restock ends',
  'get glowing with glowskin serum, grab yours',
  'glowskin serum: the restock you waited for, grab yours',
  'FREE glowskin serum sample, DM me to grab yours',
  'glowskin serum 2 for 1, grab yours this week only',
  'new glowskin serum formula just dropped, grab yours',
  'glowskin serum flash restock, grab yours fast',
  'glowskin serum is back, link in bio to grab yours',
  'tag a friend who needs glowskin serum and grab yours',
  'glowskin serum sold out twice, restocked now, grab yours',
  'glowskin serum for dry skin, grab yours at the popup store',
  'last call for glowskin serum, grab yours',
  'glowskin serum restock, limited bottles, grab yours',
  'glowskin serum changed my skin, grab yours too',
  'weekend glowskin serum restock, grab yours',
];
const HAM = [
  'sunday morning at the lake with my dog',
  'first snow of the year in the park',
  'grandma turned ninety today, so proud of her',
  'homemade pasta night with friends',
  'our team won the regional final',
  'new haircut, what do you think',
  'sunset over the harbour after work',
  'finally finished the puzzle, 2000 pieces',
  'coffee and a good book on a rainy day',
  'my daughter lost her first tooth',
  'hiking the ridge trail with the club',
  'best day ever at the beach with the kids',
  'trying watercolours for the first time',
  'the cat found the warmest spot in the house',
  'graduation day, four years went by fast',
  'fresh bread from the bakery down the street',
  'city lights from the top of the hill',
  'learning to skate at thirty five',
  'garden tomatoes are finally ripe',
  'late night study session with the group',
  'wedding anniversary dinner by the river',
  'my first marathon medal',
  'autumn leaves in the old town',
  'family picnic, everyone came this year',
];

describe.each<Provider>(['sqlite', 'postgres'])(
  'feedback from moderator decisions on %s',
  (provider) => {
    let t: TestDatabase;
    let dataDir: string;
    const log = pino({ level: 'silent' });

    beforeAll(async () => {
      t = await createTestDatabase(provider);
      dataDir = mkdtempSync(join(tmpdir(), 'ganmod-feedback-'));
      const moderator = await t.db.user.create({
        data: { id: 'mod', name: 'Mod', email: 'mod@x.test', role: 'MODERATOR' },
      });
      const items = [
        ...SPAM.map((caption, i) => ({ externalId: `spam-${i}`, caption })),
        ...HAM.map((caption, i) => ({ externalId: `ham-${i}`, caption })),
        { externalId: 'escalated', caption: 'is this allowed here?' },
        { externalId: 'other', caption: 'nice weather' },
      ];
      for (const item of items) await t.db.contentItem.create({ data: item });
      // The real pipeline scores them (shipped spam model, default policy).
      const scorer = new ContentScorer(t.db, dataDir, log);
      while ((await scorer.scorePending(16)) > 0);
      const rows = await t.db.contentItem.findMany({ select: { id: true, externalId: true } });
      // Who decided, as recorded with every moderator decision.
      const by = { actorId: moderator.id, actorName: moderator.name, actorRole: moderator.role };
      for (const row of rows) {
        const [action, reasonCode] = row.externalId.startsWith('spam-')
          ? ['REMOVE', 'spam']
          : row.externalId.startsWith('ham-')
            ? ['APPROVE', 'no-violation']
            : row.externalId === 'escalated'
              ? ['ESCALATE', 'unclear-policy']
              : ['REMOVE', 'other'];
        await t.db.decision.create({
          data: { itemId: row.id, ...by, action: action as 'REMOVE', reasonCode },
        });
      }
      // A moderator who first approved a spam item and later removed it: the latest decision counts.
      const flip = rows.find((r) => r.externalId === 'spam-0')!;
      await t.db.decision.create({
        data: { itemId: flip.id, ...by, action: 'APPROVE', reasonCode: 'other' },
      });
      await t.db.decision.create({
        data: { itemId: flip.id, ...by, action: 'REMOVE', reasonCode: 'spam' },
      });
    });
    afterAll(async () => {
      await t?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('turns the latest moderator decision per item into labels with the scores it had', async () => {
      const { feedback, counts } = await collectFeedback(t.db);
      expect(counts).toEqual({ approved: 24, removed: 24, escalated: 1, unattributed: 1 });
      const spam0 = feedback.find((f) => f.externalId === 'spam-0')!;
      expect(spam0.violations).toEqual(['spam']);
      expect(spam0.results.map((r) => r.category).sort()).toEqual(['abuse', 'spam']);
      expect(feedback.find((f) => f.externalId === 'ham-0')!.violations).toEqual([]);
    });

    it('a dry run reports old and new thresholds and stores nothing', async () => {
      const store = localArtifactStore(join(dataDir, 'artifacts'));
      const report = await runFeedback(t.db, store, { dryRun: true });
      const review = report.comparison.find((r) => r.category === 'spam' && r.level === 'review')!;
      expect(review).toMatchObject({ examples: 48, positives: 24 });
      expect(review.before.threshold).toBe(DEFAULT_POLICY.thresholds.spam.review);
      // The shipped model misses most of this campaign (recall 3/24 at 0.6); REVIEW moves to the
      // best-F1 threshold and BLOCK to the lowest one keeping precision >= 0.95.
      const f1 = (p: { precision: number; recall: number }) =>
        (2 * p.precision * p.recall) / (p.precision + p.recall || 1);
      expect(review.after.recall).toBeGreaterThan(review.before.recall);
      expect(f1(review.after)).toBeGreaterThan(f1(review.before) + 0.3);
      const block = report.comparison.find((r) => r.category === 'spam' && r.level === 'block')!;
      expect(block.after.precision).toBeGreaterThanOrEqual(0.95);
      expect(block.after.recall).toBeGreaterThan(block.before.recall);
      expect(report.recalibration.changes.map((c) => c.category)).toEqual(['spam']);
      expect(report.spam).toMatchObject({ spamCaptions: 24, hamCaptions: 24, folds: 4 });
      expect(report.spam!.retrainedAveragePrecision).toBeGreaterThan(
        report.spam!.baseAveragePrecision,
      );
      expect(report.stored).toEqual({});
      expect(await t.db.moderationPolicy.count()).toBe(0);
      expect(await t.db.detectorModel.count()).toBe(0);
      const text = formatFeedbackReport(report, true);
      expect(text).toMatch(/spam\s+review\s+48\s+24/);
      expect(text).toMatch(/dry run: nothing stored/);
    });

    it('the CLI prints the table, and refuses a bad --min-examples', async () => {
      const env = { DATABASE_URL: t.url, GANMOD_DATA_DIR: dataDir };
      const ok = startCli(['feedback', '--dry-run'], env);
      expect(await ok.exited, ok.output()).toBe(0);
      expect(ok.output()).toMatch(/category\s+level\s+items/);
      expect(ok.output()).toMatch(/labels: 48 items \(24 approved, 24 removed\)/);
      const bad = startCli(['feedback', '--min-examples', 'x'], env);
      expect(await bad.exited).toBe(2);
      expect(bad.output()).toMatch(/--min-examples must be an integer/);
    });

    it('stores an active policy version and spam model, and the scorer switches to both', async () => {
      const store = localArtifactStore(join(dataDir, 'artifacts'));
      const report = await runFeedback(t.db, store);
      const policy = await t.db.moderationPolicy.findFirstOrThrow({ where: { active: true } });
      expect(policy.version).toBe(report.stored.policyVersion);
      const spamModel = await t.db.detectorModel.findFirstOrThrow({
        where: { kind: 'SPAM_TEXT', active: true },
      });
      expect(spamModel.id).toBe(report.stored.spamModelId);
      expect(existsSync(join(dataDir, 'artifacts', spamModel.path))).toBe(true);

      const fresh = await t.db.contentItem.create({
        data: { externalId: 'after', caption: 'glowskin serum restock tonight, grab yours' },
      });
      const scorer = new ContentScorer(t.db, dataDir, log);
      expect(await scorer.scorePending()).toBe(1);
      const item = await t.db.contentItem.findUniqueOrThrow({
        where: { id: fresh.id },
        include: { scores: true },
      });
      expect(item.policyVersion).toBe(policy.version);
      const spamScore = item.scores.find((s) => s.detector === 'caption-spam')!;
      expect(spamScore.detectorModelId).toBe(spamModel.id);
      expect(spamScore.reason).toMatch(/retrained:/);
      expect(item.status).not.toBe('ALLOWED');

      // Running it again builds from the shipped model again: a second version, one active.
      const again = await runFeedback(t.db, store, { now: new Date(Date.now() + 60_000) });
      expect(again.stored.policyVersion).not.toBe(policy.version);
      expect(await t.db.moderationPolicy.count({ where: { active: true } })).toBe(1);
      expect(await t.db.detectorModel.count({ where: { kind: 'SPAM_TEXT', active: true } })).toBe(
        1,
      );
    });
  },
);

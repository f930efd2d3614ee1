import { beforeAll, describe, expect, it } from 'vitest';
import { HashBank } from '../src/bank/hash-bank.js';
import { bankHashesForImage } from '../src/bank/image-variants.js';
import type { Detector } from '../src/detectors/detector.js';
import { ModerationConfigError, ModerationInputError } from '../src/errors.js';
import { createModerator } from '../src/pipeline/moderator.js';
import { decodeBytes } from '../src/pdq/image.js';
import { DEFAULT_POLICY, actionFor, decide, parsePolicy } from '../src/policy/policy.js';
import { EDITS, emojiPhoto } from './fixtures.js';

describe('policy', () => {
  it('maps scores to actions per category and keeps every reason with the version', () => {
    const policy = parsePolicy(DEFAULT_POLICY);
    const r = (category: 'explicit' | 'spam', score: number) => ({
      detector: category,
      category,
      score,
      label: 'x',
      reason: `${category} ${score}`,
      details: {},
    });
    expect(actionFor(policy, r('explicit', 0.95))).toBe('BLOCK');
    expect(actionFor(policy, r('explicit', 0.8))).toBe('REVIEW');
    expect(actionFor(policy, r('explicit', 0.2))).toBe('ALLOW');
    const d = decide(policy, 'item-1', [r('spam', 0.1), r('explicit', 0.8)]);
    expect(d).toMatchObject({ action: 'REVIEW', policyVersion: DEFAULT_POLICY.version });
    expect(d.reasons.map((x) => x.reason)).toEqual(['explicit 0.8', 'spam 0.1']);
  });

  it('honours per-detector overrides', () => {
    const policy = parsePolicy({
      ...DEFAULT_POLICY,
      detectorThresholds: { strict: { review: 0.1, block: 0.2 } },
    });
    const result = {
      detector: 'strict',
      category: 'spam' as const,
      score: 0.3,
      label: 'x',
      reason: '',
      details: {},
    };
    expect(actionFor(policy, result)).toBe('BLOCK');
  });

  it('refuses an invalid config naming the field', () => {
    const bad = {
      ...DEFAULT_POLICY,
      thresholds: { ...DEFAULT_POLICY.thresholds, spam: { review: 0.9, block: 0.5 } },
    };
    expect(() => parsePolicy(bad)).toThrow(ModerationConfigError);
    expect(() => parsePolicy(bad)).toThrow(
      /thresholds\.spam: review threshold must not exceed block/,
    );
    expect(() => parsePolicy({ ...DEFAULT_POLICY, version: '' })).toThrow(/version/);
  });
});

describe('pipeline', () => {
  const bank = new HashBank();
  let csamPng: Buffer;
  let copyrightPng: Buffer;
  let otherPng: Buffer;

  beforeAll(async () => {
    csamPng = await emojiPhoto('1f47d.png');
    copyrightPng = await emojiPhoto('1f680.png');
    otherPng = await emojiPhoto('1f431.png');
    for (const [png, label] of [
      [csamPng, 'csam'],
      [copyrightPng, 'copyright'],
    ] as const) {
      const { pdq, crops } = await bankHashesForImage(await decodeBytes(png));
      bank.addImage(pdq, { label, source: `case-${label}` }, undefined, crops);
    }
  });

  it('blocks a re-encoded copy of banked csam at once and says why', async () => {
    const moderator = createModerator({ bank });
    const jpeg = await EDITS.jpegQ40(csamPng);
    const d = await moderator.moderate({ externalId: 'p1', image: jpeg, caption: 'nice pic' });
    expect(d.action).toBe('BLOCK');
    expect(d.policyVersion).toBe(DEFAULT_POLICY.version);
    expect(d.reasons[0]).toMatchObject({
      detector: 'pdq-near-duplicate',
      label: 'match:csam',
      action: 'BLOCK',
    });
    expect(d.reasons[0]!.reason).toMatch(
      /known 'csam' content from case-csam .*Hamming distance \d+\/256/,
    );
    // Every detector that ran leaves a reason.
    expect(d.reasons.map((r) => r.detector).sort()).toEqual([
      'caption-abuse',
      'caption-spam',
      'nsfw-explicit',
      'pdq-near-duplicate',
    ]);
  });

  it('sends a mirrored copyright match to review and allows unrelated clean posts', async () => {
    const moderator = createModerator({ bank });
    const mirrored = await moderator.moderate({
      externalId: 'p2',
      image: await EDITS.mirror(copyrightPng),
    });
    expect(mirrored.action).toBe('REVIEW');
    expect(mirrored.reasons[0]!.reason).toMatch(/flipHorizontal variant/);
    const clean = await moderator.moderate({
      externalId: 'p3',
      image: otherPng,
      caption: 'my cat says hi',
    });
    expect(clean.action).toBe('ALLOW');
  });

  it('acts on captions: spam and slurs', async () => {
    const moderator = createModerator();
    const spam = await moderator.moderate({
      externalId: 's1',
      caption: 'FREE crypto giveaway!!! DM me on WhatsApp +44 7911 123456, click here bit.ly/xx',
    });
    expect(spam.action).toBe('BLOCK');
    expect(spam.reasons[0]!.reason).toMatch(/bit\.ly\/xx/);
    const slur = await moderator.moderate({ externalId: 's2', caption: 'shut up you f4ggot' });
    expect(slur.action).toBe('BLOCK');
  });

  it('turns a failing detector into a REVIEW with its reason, never a crash', async () => {
    const broken: Detector = {
      name: 'broken',
      category: 'explicit',
      reads: 'image',
      detect: () => Promise.reject(new Error('model file missing')),
    };
    const moderator = createModerator({ detectors: [broken] });
    const d = await moderator.moderate({ externalId: 'b1', image: otherPng });
    expect(d.action).toBe('REVIEW');
    expect(d.reasons[0]).toMatchObject({ detector: 'broken', label: 'error' });
    expect(d.reasons[0]!.reason).toMatch(/Detector broken \(explicit\) failed: model file missing/);
  });

  it('refuses bad single items with a typed error and reports them per item in a batch', async () => {
    const moderator = createModerator({ bank });
    await expect(moderator.moderate({ externalId: 'x', image: new Uint8Array(0) })).rejects.toThrow(
      ModerationInputError,
    );
    const out = await moderator.moderateBatch([
      { externalId: 'ok', caption: 'hello world' },
      { externalId: 'svg', image: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') },
      { externalId: 'dup', image: await EDITS.resizeHalf(csamPng) },
    ]);
    expect(out.map((o) => [o.externalId, o.ok])).toEqual([
      ['ok', true],
      ['svg', false],
      ['dup', true],
    ]);
    expect(out[1]).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED_TYPE' } });
    expect(out[2]!.ok && out[2]!.decision.action).toBe('BLOCK');
  });
});

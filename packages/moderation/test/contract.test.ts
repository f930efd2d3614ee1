// The contract: its maps agree with each other and with the pipeline, and its module graph stays
// free of TensorFlow.js, sharp and every other package (the dashboard bundles it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import {
  BANK_LABELS,
  CONTENT_STATUSES,
  DEFAULT_INPUT_LIMITS,
  DETECTOR_CATEGORIES,
  DETECTOR_CATEGORY,
  MODERATOR_ACTIONS,
  POLICY_ACTIONS,
  REASON_CODES,
  REMOVE_REASON_CATEGORY,
  REVIEWABLE_STATUSES,
  STATUS_AFTER_DECISION,
  STATUS_AFTER_POLICY,
  bankLabelOfPolicyLabel,
  captionLength,
  categoryOfDetector,
  categoryOfRemoveReason,
  imageTypeOf,
  inputReasonCode,
  isReasonCode,
  isReviewable,
  maxCaptionBytes,
  mimeForExtension,
  policyLabelOfBankLabel,
  policyReasonCode,
} from '../src/contract/index.js';
import { DEFAULT_POLICY } from '../src/policy/policy.js';
import { validateItem } from '../src/input/validate.js';
import { emojiFiles, emojiPng } from './fixtures.js';

const src = join(import.meta.dirname, '../src');

describe('moderation contract: module graph', () => {
  it('imports only its own folder and errors.ts: no TensorFlow.js, sharp or other package', async () => {
    const graph = await madge(join(src, 'contract/index.ts'), {
      fileExtensions: ['ts'],
      baseDir: src,
      includeNpm: true,
      detectiveOptions: { ts: { skipTypeImports: false } },
    });
    const files = Object.keys(graph.obj()).sort();
    const outside = files.filter((f) => !f.startsWith('contract/') && f !== 'errors.ts');
    expect(outside).toEqual([]);
    expect(files).toContain('contract/sniff.ts');
    // madge does not list packages here (pnpm's layout), so read the specifiers themselves.
    const packages = files.flatMap((f) =>
      [...readFileSync(join(src, f), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)]
        .map((m) => m[1]!)
        .filter((spec) => !spec.startsWith('.'))
        .map((spec) => `${f}: ${spec}`),
    );
    expect(packages).toEqual([]);
  });
});

describe('moderation contract: vocabulary', () => {
  it('moves a policy verdict to ALLOWED, IN_REVIEW or BLOCKED, and a moderator decision out of review', () => {
    expect(STATUS_AFTER_POLICY).toEqual({
      ALLOW: 'ALLOWED',
      REVIEW: 'IN_REVIEW',
      BLOCK: 'BLOCKED',
    });
    expect(STATUS_AFTER_DECISION).toEqual({
      APPROVE: 'APPROVED',
      REMOVE: 'REMOVED',
      ESCALATE: 'ESCALATED',
    });
    for (const s of [
      ...Object.values(STATUS_AFTER_POLICY),
      ...Object.values(STATUS_AFTER_DECISION),
    ])
      expect(CONTENT_STATUSES).toContain(s);
    // Only escalation keeps an item in front of moderators.
    expect(MODERATOR_ACTIONS.filter((a) => isReviewable(STATUS_AFTER_DECISION[a]))).toEqual([
      'ESCALATE',
    ]);
    expect(POLICY_ACTIONS.filter((a) => isReviewable(STATUS_AFTER_POLICY[a]))).toEqual(['REVIEW']);
    expect(REVIEWABLE_STATUSES.every((s) => CONTENT_STATUSES.includes(s))).toBe(true);
    expect(isReviewable('APPROVED')).toBe(false);
  });

  it('names a category for every REMOVE reason but `other`, and none for unknown codes', () => {
    for (const { code } of REASON_CODES.REMOVE) {
      expect(Object.hasOwn(REMOVE_REASON_CATEGORY, code)).toBe(true);
      const category = categoryOfRemoveReason(code);
      if (code === 'other') expect(category).toBeNull();
      else expect(DETECTOR_CATEGORIES).toContain(category);
    }
    expect(categoryOfRemoveReason('harassment')).toBe('abuse');
    expect(categoryOfRemoveReason('copyright')).toBe('near-duplicate');
    expect(categoryOfRemoveReason('no-such-code')).toBeNull();
    expect(categoryOfRemoveReason('toString')).toBeNull();
  });

  it('checks reason codes per action', () => {
    expect(isReasonCode('APPROVE', 'no-violation')).toBe(true);
    expect(isReasonCode('APPROVE', 'spam')).toBe(false);
    expect(isReasonCode('REMOVE', 'spam')).toBe(true);
    expect(isReasonCode('ESCALATE', 'legal')).toBe(true);
    for (const a of MODERATOR_ACTIONS) expect(REASON_CODES[a].at(-1)?.code).toBe('other');
  });

  it('gives each shipped detector its category', () => {
    expect(categoryOfDetector('caption-spam')).toBe('spam');
    expect(categoryOfDetector('pdq-near-duplicate')).toBe('near-duplicate');
    expect(categoryOfDetector('unknown-detector')).toBeUndefined();
    expect(categoryOfDetector('constructor')).toBeUndefined();
    for (const c of Object.values(DETECTOR_CATEGORY)) expect(DETECTOR_CATEGORIES).toContain(c);
  });

  it('maps stored bank labels to the policy labels and back', () => {
    expect(policyLabelOfBankLabel('NON_CONSENSUAL')).toBe('non-consensual');
    expect(policyLabelOfBankLabel('COPYRIGHT')).toBe('copyright');
    expect(policyLabelOfBankLabel('SOMETHING_ELSE')).toBe('something_else');
    for (const b of BANK_LABELS) expect(bankLabelOfPolicyLabel(policyLabelOfBankLabel(b))).toBe(b);
    expect(bankLabelOfPolicyLabel('known-bad')).toBeUndefined();
    // The severe labels block at once under the shipped policy; the rest go to review.
    const actions = DEFAULT_POLICY.nearDuplicate.labelActions;
    expect([actions.csam, actions.terror, actions['non-consensual']]).toEqual([
      'BLOCK',
      'BLOCK',
      'BLOCK',
    ]);
    expect(actions.copyright).toBe('REVIEW');
    expect(actions.spam ?? DEFAULT_POLICY.nearDuplicate.defaultMatchAction).toBe('REVIEW');
  });

  it('spells the automatic reason codes', () => {
    expect(POLICY_ACTIONS.map(policyReasonCode)).toEqual([
      'policy.allow',
      'policy.review',
      'policy.block',
    ]);
    expect(inputReasonCode('CAPTION_TOO_LONG')).toBe('input.caption_too_long');
  });
});

describe('moderation contract: limits and sniffing', () => {
  it('are the limits validateItem enforces', () => {
    const max = DEFAULT_INPUT_LIMITS.maxCaptionLength;
    expect(() => validateItem({ externalId: 'a', caption: 'x'.repeat(max) })).not.toThrow();
    expect(() => validateItem({ externalId: 'a', caption: 'x'.repeat(max + 1) })).toThrow(
      `the limit is ${max}`,
    );
    const id = DEFAULT_INPUT_LIMITS.maxExternalIdLength;
    expect(() => validateItem({ externalId: 'i'.repeat(id), caption: 'x' })).not.toThrow();
    expect(() => validateItem({ externalId: 'i'.repeat(id + 1), caption: 'x' })).toThrow(
      `at most ${id} characters`,
    );
  });

  it('counts caption characters as code points, and bounds their UTF-8 size', () => {
    expect(captionLength('😀😀')).toBe(2);
    const longest = '😀'.repeat(DEFAULT_INPUT_LIMITS.maxCaptionLength);
    expect(Buffer.byteLength(longest)).toBeLessThanOrEqual(maxCaptionBytes(DEFAULT_INPUT_LIMITS));
  });

  it('tells the image type from magic bytes only', () => {
    expect(imageTypeOf(emojiPng(emojiFiles[0]!))).toBe('png');
    expect(imageTypeOf(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(imageTypeOf(new TextEncoder().encode('GIF89a...'))).toBe('gif');
    expect(imageTypeOf(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(imageTypeOf(new TextEncoder().encode('<svg></svg>'))).toBeNull();
    expect(imageTypeOf(new Uint8Array())).toBeNull();
    expect(mimeForExtension('jpg')).toBe('image/jpeg');
    expect(mimeForExtension('svg')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';

import { ConfigError, parseTrainConfig, trainConfigSchema } from '../src/config.js';

function issuesOf(input: unknown): string[] {
  try {
    parseTrainConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the config to be rejected');
}

describe('parseTrainConfig', () => {
  it('fills every default from the minimal config', () => {
    const config = parseTrainConfig({ dataset: { kind: 'mnist' }, model: 'dcgan' });
    expect(config).toMatchObject({
      model: 'dcgan',
      latentDim: 100,
      loss: 'bce',
      diffAugment: [],
      batchSize: 64,
      lrG: 4e-4,
      lrD: 4e-4,
      beta1: 0.5,
      emaDecay: 0.999,
      watchdog: { enabled: true, collapsePatience: 200 },
    });
    expect(config.dataset.kind).toBe('mnist');
  });

  it('rejects unknown keys at the top level and in nested objects', () => {
    const issues = issuesOf({
      dataset: { kind: 'mnist' },
      modle: 'dcgan',
      watchdog: { enable: false },
    });
    expect(issues.join('\n')).toMatch(/modle/);
    expect(issues.join('\n')).toMatch(/watchdog.*enable/);
  });

  it('names each bad field and its allowed range', () => {
    const issues = issuesOf({
      dataset: { kind: 'mnist' },
      batchSize: 0,
      lrG: -1,
      beta1: 2,
      latentDim: 2.5,
    });
    expect(issues).toContain('batchSize: batchSize must be an integer between 1 and 1024');
    expect(issues).toContain('lrG: lrG must be greater than 0 and at most 1');
    expect(issues).toContain('beta1: beta1 must be between 0 and 0.9999');
    expect(issues).toContain('latentDim: latentDim must be an integer between 1 and 1024');
  });

  it('lists every bad field in the error message', () => {
    expect(() =>
      parseTrainConfig({ dataset: { kind: 'nope' }, model: 'gan', steps: 'ten' }),
    ).toThrow(
      /dataset\.kind[\s\S]*model: model must be one of mlp, dcgan, cdcgan[\s\S]*steps: steps must be a number/,
    );
  });

  it('accepts DiffAugment as none, a comma list or an array', () => {
    const base = { dataset: { kind: 'mnist' } };
    expect(parseTrainConfig({ ...base, diffAugment: 'none' }).diffAugment).toEqual([]);
    expect(parseTrainConfig({ ...base, diffAugment: 'color, cutout,color' }).diffAugment).toEqual([
      'color',
      'cutout',
    ]);
    expect(parseTrainConfig({ ...base, diffAugment: ['translation'] }).diffAugment).toEqual([
      'translation',
    ]);
    expect(issuesOf({ ...base, diffAugment: 'colour' })).toEqual([
      'diffAugment.0: diffAugment entries must be one of color, translation, cutout',
    ]);
  });

  it('refuses label smoothing with a loss it does not apply to', () => {
    expect(issuesOf({ dataset: { kind: 'mnist' }, loss: 'hinge', labelSmoothing: 0.1 })).toEqual([
      'labelSmoothing: labelSmoothing applies to the bce loss only (loss is hinge)',
    ]);
  });

  it('round-trips through JSON (what the dashboard and the worker exchange)', () => {
    const config = parseTrainConfig({
      dataset: { kind: 'mnist', limit: 100 },
      model: 'cdcgan',
      diffAugment: 'color',
    });
    expect(trainConfigSchema.parse(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });
});

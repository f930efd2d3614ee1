import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TRAINING_PRESET,
  TRAINING_PRESETS,
  parseTrainConfig,
  trainConfigFields,
  trainConfigSchema,
  trainingPreset,
} from '../src/config.js';

describe('TRAINING_PRESETS', () => {
  it('are valid configs with unique names and a one-line description each', () => {
    const names = TRAINING_PRESETS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const preset of TRAINING_PRESETS) {
      expect(() => parseTrainConfig(preset.config), preset.name).not.toThrow();
      expect(preset.description).toMatch(/^\S.*\.$/);
      expect(preset.description).not.toContain('\n');
    }
    expect(names).toContain(DEFAULT_TRAINING_PRESET);
  });

  it('the launch default is the quick MLP run, not the schema defaults (documented in the README)', () => {
    const quick = parseTrainConfig(trainingPreset(DEFAULT_TRAINING_PRESET).config);
    const bare = parseTrainConfig({ dataset: { kind: 'mnist' } });
    expect([quick.model, quick.steps, quick.sampleEvery]).toEqual(['mlp', 2000, 200]);
    expect([bare.model, bare.steps, bare.sampleEvery]).toEqual(['dcgan', 5000, 500]);
  });

  it('an unknown name is refused with the known ones', () => {
    expect(() => trainingPreset('nope')).toThrow(/unknown preset 'nope' \(one of mnist-mlp-quick/);
  });
});

describe('trainConfigFields', () => {
  it('lists every field, each described, with the schema’s enum values, ranges and defaults', () => {
    const fields = trainConfigFields();
    const top = new Set(fields.map((f) => f.path.split('.')[0]));
    expect([...top].sort()).toEqual(Object.keys(trainConfigSchema.shape).sort());
    for (const field of fields) expect(field.description, field.path).toBeTruthy();
    const byPath = Object.fromEntries(fields.map((f) => [f.path, f]));
    expect(byPath.model).toMatchObject({
      kind: 'enum',
      options: ['mlp', 'dcgan', 'cdcgan', 'toy-mlp', 'vae', 'cvae', 'resnet-cgan', 'cmlp'],
      defaultValue: 'dcgan',
    });
    expect(byPath.steps).toMatchObject({ kind: 'number', min: 1, max: 10_000_000, int: true });
    expect(byPath['dataset.kind']?.description).toMatch(/dataset/i);
  });
});

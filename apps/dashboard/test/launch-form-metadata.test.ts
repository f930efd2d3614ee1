// The launch form's metadata (groups, labels, hints, presets) is checked against gan-core's schema
// and presets, so a field or preset added there cannot be missing here.
import {
  DEFAULT_TRAINING_PRESET,
  TRAINING_PRESETS,
  trainConfigFields,
} from '@ganmod/gan-core/config';
import { describe, expect, it } from 'vitest';
import { groups, labels } from '~/app/(app)/runs/new/field-help';
import {
  defaultPresetName,
  presetConfig,
  presetOptions,
} from '~/app/(app)/runs/new/launch-presets';
import { fieldsOf } from '~/lib/schema-fields';
import { trainConfigSchema } from '~/lib/train-config';

describe('launch form metadata follows the training-config schema', () => {
  const fields = fieldsOf(trainConfigSchema);
  const paths = fields.map((f) => f.path);

  it('uses the same field list as the trainer CLI (one walker, in gan-core)', () => {
    expect(fields).toEqual(trainConfigFields());
  });

  it('every schema field has a group, a label and a description (the hint under it)', () => {
    const grouped = groups.flatMap((g) => g.paths);
    for (const field of fields) {
      expect(grouped, field.path).toContain(field.path);
      expect(labels[field.path], field.path).toBeTruthy();
      expect(field.description, field.path).toBeTruthy();
    }
    // ...and the metadata names no field the schema does not have.
    for (const path of [...grouped, ...Object.keys(labels)]) expect(paths).toContain(path);
    expect(new Set(grouped).size).toBe(grouped.length);
  });
});

describe('launch form presets', () => {
  it('are exactly gan-core’s TRAINING_PRESETS, by name and description, in order', () => {
    expect(presetOptions).toEqual(
      TRAINING_PRESETS.map(({ name, description }) => ({ name, description })),
    );
  });

  it('a new run starts from the default named preset', () => {
    expect(defaultPresetName).toBe(DEFAULT_TRAINING_PRESET);
    expect(presetConfig(defaultPresetName)).toEqual(
      TRAINING_PRESETS.find((p) => p.name === DEFAULT_TRAINING_PRESET)?.config,
    );
    // The form edits its copy: the shared preset stays as it was.
    const copy = presetConfig(defaultPresetName);
    (copy.dataset as Record<string, unknown>).kind = 'emoji';
    expect(presetConfig(defaultPresetName).dataset).toEqual({ kind: 'mnist' });
  });
});

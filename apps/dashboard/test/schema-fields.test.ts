import { describe, expect, it } from 'vitest';
import { fieldsOf, isVisible, setPath } from '~/lib/schema-fields';
import { trainConfigSchema } from '~/lib/train-config';

describe('launch form fields come from the training-config schema', () => {
  const fields = fieldsOf(trainConfigSchema);
  const byPath = Object.fromEntries(fields.map((f) => [f.path, f]));

  it('covers every top-level key of the schema, nested objects flattened', () => {
    const top = new Set(fields.map((f) => f.path.split('.')[0]));
    expect([...top].sort()).toEqual(Object.keys(trainConfigSchema.shape).sort());
    expect(byPath['dataset.kind']).toMatchObject({
      kind: 'enum',
      options: expect.arrayContaining(['mnist', 'fashion-mnist', 'emoji', 'folder']) as unknown,
    });
    expect(byPath['watchdog.enabled']).toMatchObject({ kind: 'boolean', defaultValue: true });
  });

  it('reads ranges, integer-ness and defaults from the schema', () => {
    expect(byPath.batchSize).toMatchObject({
      kind: 'number',
      min: 1,
      max: 1024,
      int: true,
      defaultValue: 64,
    });
    expect(byPath.lrG).toMatchObject({ kind: 'number', int: false, defaultValue: 4e-4 });
    expect(byPath.diffAugment).toMatchObject({
      kind: 'multi',
      options: ['color', 'translation', 'cutout'],
    });
  });

  it('shows a dataset option only for the dataset kinds that have it', () => {
    expect(isVisible(byPath['dataset.path']!, { dataset: { kind: 'folder' } })).toBe(true);
    expect(isVisible(byPath['dataset.labelsFromSubfolders']!, { dataset: { kind: 'mnist' } })).toBe(
      false,
    );
    expect(
      isVisible(byPath['dataset.labelsFromSubfolders']!, { dataset: { kind: 'folder' } }),
    ).toBe(true);
    expect(byPath['dataset.channels']).toMatchObject({ kind: 'enum', options: [1, 3] });
  });

  it('builds nested values by path', () => {
    expect(setPath(setPath({}, 'dataset.kind', 'mnist'), 'steps', 10)).toEqual({
      dataset: { kind: 'mnist' },
      steps: 10,
    });
    expect(setPath({ dataset: { kind: 'mnist' } }, 'dataset.kind', undefined)).toEqual({});
  });
});

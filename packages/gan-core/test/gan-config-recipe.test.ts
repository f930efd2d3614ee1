// The default recipe documented in docs/results.md ("Default recipe") is what a bare config gets:
// the table between the recipe markers is read and compared with parseTrainConfig's defaults, so
// the docs and the schema cannot drift apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { parseTrainConfig } from '../src/config.js';

const docs = readFileSync(join(import.meta.dirname, '..', 'docs', 'results.md'), 'utf8');

/** `field -> value` rows of the markdown table between the recipe markers. */
function documentedDefaults(): Map<string, unknown> {
  const start = docs.indexOf('<!-- default-recipe:start -->');
  const end = docs.indexOf('<!-- default-recipe:end -->');
  expect(start, 'docs/results.md has the default-recipe markers').toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  const rows = new Map<string, unknown>();
  for (const line of docs.slice(start, end).split('\n')) {
    const cells = /^\|\s*`(\w+)`\s*\|\s*`([^`]+)`\s*\|/.exec(line);
    if (cells === null) continue;
    const raw = cells[2] as string;
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a bare word such as bce
    }
    rows.set(cells[1] as string, value);
  }
  return rows;
}

describe('the default recipe in docs/results.md', () => {
  it('lists the adversarial fields with the values a bare config gets', () => {
    const rows = documentedDefaults();
    for (const field of [
      'loss',
      'batchSize',
      'dSteps',
      'lrG',
      'lrD',
      'beta1',
      'beta2',
      'emaDecay',
      'r1Gamma',
      'labelSmoothing',
      'diffAugment',
    ])
      expect(rows.has(field), `${field} is documented`).toBe(true);
    for (const model of ['mlp', 'dcgan', 'cdcgan'] as const) {
      const config = parseTrainConfig({ dataset: { kind: 'mnist' }, model }) as unknown as Record<
        string,
        unknown
      >;
      for (const [field, value] of rows) expect(config[field], `${model} ${field}`).toEqual(value);
    }
  });

  it('leaves configs that state their values alone', () => {
    const stated = parseTrainConfig({
      dataset: { kind: 'mnist' },
      model: 'dcgan',
      lrG: 1e-4,
      lrD: 1e-4,
      beta1: 0.9,
      beta2: 0.9,
      emaDecay: 0,
    });
    expect(stated).toMatchObject({ lrG: 1e-4, lrD: 1e-4, beta1: 0.9, beta2: 0.9, emaDecay: 0 });
  });
});

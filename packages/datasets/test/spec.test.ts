import { describe, expect, it } from 'vitest';
import { DatasetError, datasetSpecSchema, loadDataset, parseDatasetSpec } from '../src/index.js';

describe('datasetSpecSchema', () => {
  it('applies defaults and keeps given fields', () => {
    expect(parseDatasetSpec({ kind: 'mnist' })).toEqual({ kind: 'mnist', split: 'train' });
    expect(
      datasetSpecSchema.parse({ kind: 'emoji', size: 32, background: '#fff', classes: ['Flags'] }),
    ).toEqual({
      kind: 'emoji',
      split: 'train',
      size: 32,
      background: '#fff',
      classes: ['Flags'],
    });
  });

  it.each([
    [{ kind: 'mnist', size: 0 }, 'size'],
    [{ kind: 'mnist', size: 4096 }, 'size'],
    [{ kind: 'mnist', channels: 2 }, 'channels'],
    [{ kind: 'mnist', split: 'validation' }, 'split'],
    [{ kind: 'mnist', limit: 1.5 }, 'limit'],
    [{ kind: 'emoji', background: 'blue' }, 'background'],
    [{ kind: 'emoji', testFraction: 1 }, 'testFraction'],
    [{ kind: 'folder' }, 'path'],
    [{ kind: 'ring8', size: 32 }, 'size'],
    [{ kind: 'cifar10' }, 'kind'],
  ])('names the bad field in %j', (input, field) => {
    const error = (() => {
      try {
        parseDatasetSpec(input);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).field).toBe(field);
    expect((error as DatasetError).message).toContain(`${field}:`);
  });

  it('says what is wrong, not just where', () => {
    expect(() => parseDatasetSpec({ kind: 'ring8', size: 32 })).toThrow(
      "size: not a field of a 'ring8' spec",
    );
    expect(() => parseDatasetSpec({ kind: 'emoji', background: 'blue' })).toThrow(
      "background: must be '#rgb' or '#rrggbb'",
    );
    expect(() => parseDatasetSpec({ kind: 'x' })).toThrow(
      "kind: must be one of 'mnist', 'fashion-mnist'",
    );
    expect(() => parseDatasetSpec('mnist')).toThrow('expected an object with a `kind` field');
  });
});

describe('loadDataset', () => {
  it('loads each kind from a spec', async () => {
    const mnist = await loadDataset({ kind: 'mnist', split: 'test', limit: 10, size: 32 });
    expect(mnist.dataset.shape).toEqual([32, 32, 1]);
    expect(mnist.dataset.size).toBe(10);
    expect(mnist.report.loaded).toBe(10);
    const grid = await loadDataset({ kind: 'grid25', limit: 100, seed: 4 });
    expect(grid.dataset.shape).toEqual([2]);
    expect(grid.dataset.classNames).toHaveLength(25);
    const emoji = await loadDataset({ kind: 'emoji', limit: 3, size: 8, channels: 1 });
    expect(emoji.dataset.shape).toEqual([8, 8, 1]);
  });

  it('rejects an invalid spec before loading anything', async () => {
    await expect(loadDataset({ kind: 'folder', path: '' })).rejects.toThrow(
      /invalid dataset spec: path:/,
    );
  });
});

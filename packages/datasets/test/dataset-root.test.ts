import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  confineDatasetSpec,
  datasetRoots,
  DatasetError,
  resolveDatasetPath,
} from '../src/dataset-root.js';

describe('the datasets root', () => {
  let data: string;
  let root: string;
  let env: Record<string, string>;

  beforeAll(() => {
    data = realpathSync(mkdtempSync(join(tmpdir(), 'ganmod-roots-')));
    root = join(data, 'datasets');
    mkdirSync(join(root, 'faces', 'smiles'), { recursive: true });
    mkdirSync(join(data, 'uploads'));
    mkdirSync(join(data, 'elsewhere'));
    symlinkSync('/etc', join(root, 'etc-link'));
    symlinkSync(join(root, 'faces'), join(root, 'faces-link'));
    symlinkSync(join(data, 'uploads'), join(root, 'uploads-link'));
    env = { GANMOD_DATA_DIR: data };
  });
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  const refusal = (path: string, e: Record<string, string> = env) =>
    resolveDatasetPath(path, e).then(
      () => new Error(`accepted ${path}`),
      (err: unknown) => err as Error,
    );

  it('defaults to <GANMOD_DATA_DIR>/datasets; GANMOD_DATASETS_DIR overrides it', () => {
    expect(datasetRoots(env)).toEqual({ root, uploads: join(data, 'uploads') });
    expect(datasetRoots({ ...env, GANMOD_DATASETS_DIR: '/srv/sets' }).root).toBe('/srv/sets');
  });

  it('resolves folders inside the root, relative to it, through links that stay inside', async () => {
    expect(await resolveDatasetPath('faces', env)).toBe(join(root, 'faces'));
    expect(await resolveDatasetPath(join(root, 'faces', 'smiles'), env)).toBe(
      join(root, 'faces', 'smiles'),
    );
    expect(await resolveDatasetPath('faces/../faces', env)).toBe(join(root, 'faces'));
    expect(await resolveDatasetPath('faces-link', env)).toBe(join(root, 'faces'));
  });

  it('refuses paths that leave the root by name, by .. or by a link, naming the root', async () => {
    for (const path of ['/etc', '../elsewhere', 'faces/../../elsewhere', 'etc-link', '/nowhere']) {
      const err = await refusal(path);
      expect(err).toBeInstanceOf(DatasetError);
      expect(err.message).toBe(
        `path: '${path}' is outside the datasets root ${root}; datasets must be folders under it ` +
          '(set GANMOD_DATASETS_DIR to change the root)',
      );
    }
  });

  it('refuses the uploads folder, a link to it, and a folder holding it', async () => {
    const wide = { ...env, GANMOD_DATASETS_DIR: data };
    for (const path of ['uploads', '.', data, 'datasets/uploads-link'])
      expect((await refusal(path, wide)).message).toMatch(/is or holds the uploads folder/);
    // With the default root, a link to the uploads is simply a link out of the root.
    expect((await refusal('uploads-link')).message).toMatch(/is outside the datasets root/);
  });

  it('says when the folder or the root does not exist', async () => {
    expect((await refusal('missing')).message).toBe(
      `path: 'missing' does not exist under the datasets root ${root}`,
    );
    const noRoot = { ...env, GANMOD_DATASETS_DIR: join(data, 'no-root') };
    expect((await refusal('x', noRoot)).message).toMatch(
      /the datasets root .*no-root does not exist/,
    );
  });

  it('confines a spec with a path and leaves one without a path alone', async () => {
    expect(await confineDatasetSpec({ kind: 'folder', path: 'faces' }, env)).toEqual({
      kind: 'folder',
      path: join(root, 'faces'),
    });
    const mnist = { kind: 'mnist' };
    expect(await confineDatasetSpec(mnist, env)).toBe(mnist);
    await expect(confineDatasetSpec({ kind: 'mnist', path: '/etc' }, env)).rejects.toThrow(
      /outside the datasets root/,
    );
  });
});

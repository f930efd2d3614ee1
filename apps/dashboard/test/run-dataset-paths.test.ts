// Folder datasets only from the datasets root: `runs.create` (and clone) refuse any other server
// path when the run is created, and say nothing about what is there.
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '~/server/auth/session';
import { appRouter } from '~/server/root';
import { createCallerFactory } from '~/server/trpc';
import { samplePng } from './support/png';
import { createTempDb, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

const createCaller = createCallerFactory(appRouter);

/** Names in /etc: none may appear in a refusal (the old error listed them as "valid" classes). */
const etcNames = readdirSync('/etc');

describe('dataset paths of new runs', () => {
  let t: TempDb;
  let eve: ReturnType<typeof createCaller>;
  let root: string;
  const saved = { data: process.env.GANMOD_DATA_DIR, datasets: process.env.GANMOD_DATASETS_DIR };

  const folderRun = (path: string, classes?: string[]) =>
    eve.runs.create({
      name: `folder ${path}`,
      config: {
        dataset: { kind: 'folder', path, ...(classes ? { classes } : {}) },
        model: 'dcgan',
        steps: 10,
      },
    });

  /** The refusal of a run on `path`: a BAD_REQUEST naming the root and nothing found outside it. */
  async function refusal(path: string, classes?: string[]): Promise<string> {
    const err = await folderRun(path, classes).then(
      () => new Error(`accepted ${path}`),
      (e: unknown) => e as Error,
    );
    expect(err).toMatchObject({ code: 'BAD_REQUEST' });
    for (const name of etcNames) {
      expect(err.message).not.toContain(`'${name}'`);
      expect(err.message).not.toMatch(new RegExp(`[/ ]${name.replace(/[.+]/g, '\\$&')}\\b`));
    }
    return err.message;
  }

  beforeAll(async () => {
    t = await createTempDb('dataset-paths');
    const users: Record<string, SessionUser> = await createRoleUsers(t.db);
    eve = createCaller({ db: t.db, user: users.ENGINEER! });
    process.env.GANMOD_DATA_DIR = t.dir;
    delete process.env.GANMOD_DATASETS_DIR;
    root = join(t.dir, 'datasets');
    for (const face of ['smiles', 'frowns']) {
      mkdirSync(join(root, 'faces', face), { recursive: true });
      writeFileSync(join(root, 'faces', face, 'a.png'), samplePng(face.length));
    }
    mkdirSync(join(t.dir, 'uploads'), { recursive: true });
    writeFileSync(join(t.dir, 'uploads', 'abc.png'), samplePng(1));
    // A link planted inside the root that leads out of it.
    symlinkSync('/etc', join(root, 'escape'));
  });
  afterEach(() => {
    delete process.env.GANMOD_DATASETS_DIR;
  });
  afterAll(async () => {
    process.env.GANMOD_DATA_DIR = saved.data;
    if (saved.datasets === undefined) delete process.env.GANMOD_DATASETS_DIR;
    else process.env.GANMOD_DATASETS_DIR = saved.datasets;
    await t?.cleanup();
  });

  it('refuses /etc, ../../etc and a link out of the root, naming the root', async () => {
    for (const path of ['/etc', '../../etc', `${root}/../../../../../etc`, 'escape']) {
      const message = await refusal(path, ['x']);
      expect(message).toContain(`is outside the datasets root ${root}`);
      expect(message).toContain(`'${path}'`);
    }
    // A path that does not exist outside the root is refused in the same words.
    expect(await refusal('/no/such/folder')).toContain(`is outside the datasets root ${root}`);
    expect(await t.db.trainingRun.count()).toBe(0);
  });

  it('never takes the uploads folder, even when the root holds it', async () => {
    process.env.GANMOD_DATASETS_DIR = t.dir;
    for (const path of ['uploads', join(t.dir, 'uploads'), '.']) {
      expect(await refusal(path)).toContain('uploads folder');
    }
    expect(await t.db.trainingRun.count()).toBe(0);
  });

  it('queues a run on a folder inside the root (relative or absolute), and clones it', async () => {
    const relative = await folderRun('faces', ['smiles']);
    const absolute = await folderRun(join(root, 'faces'));
    const run = await t.db.trainingRun.findUniqueOrThrow({ where: { id: relative.id } });
    expect(run.config).toMatchObject({ dataset: { kind: 'folder', path: 'faces' } });
    expect(absolute.id).not.toBe(relative.id);
    await expect(eve.runs.clone({ id: relative.id })).resolves.toMatchObject({
      id: expect.any(String) as unknown,
    });
    // A clone whose edited config leaves the root is refused like a new run.
    await expect(
      eve.runs.clone({
        id: relative.id,
        config: { dataset: { kind: 'folder', path: '/etc' }, model: 'dcgan', steps: 10 },
      }),
    ).rejects.toThrow(/outside the datasets root/);
  });

  it('says when the folder does not exist inside the root', async () => {
    expect(await refusal('nope')).toContain(
      `'nope' does not exist under the datasets root ${root}`,
    );
  });
});

// The hash bank through the dashboard's API and the trainer's CLI on one database, on SQLite and
// PostgreSQL: what one adds the other sees, who may do what, and "Remove and bank" on an item.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TRPCError } from '@trpc/server';
import { scoreContentItem } from '@ganmod/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '~/lib/roles';
import type { SessionUser } from '~/server/auth/session';
import { appRouter } from '~/server/root';
import { createCallerFactory } from '~/server/trpc';
import { ringsPng } from './support/png';
import { createTempDb, PROVIDERS, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

const run = promisify(execFile);
const createCaller = createCallerFactory(appRouter);
const trainerCli = join(import.meta.dirname, '../../trainer/dist/cli.js');

describe.each(PROVIDERS)('hash bank: dashboard and CLI on %s', (provider) => {
  let t: TempDb;
  let users: Record<Role, SessionUser>;
  const savedDataDir = process.env.GANMOD_DATA_DIR;
  const as = (role: Role) => createCaller({ db: t.db, user: users[role] });
  const cli = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, [trainerCli, '--json', 'bank', ...args], {
      env: { ...process.env, DATABASE_URL: t.url, GANMOD_DATA_DIR: t.dir },
    });
    return JSON.parse(stdout) as unknown;
  };

  beforeAll(async () => {
    t = await createTempDb('bank', provider);
    users = await createRoleUsers(t.db);
    process.env.GANMOD_DATA_DIR = t.dir;
  });
  afterAll(async () => {
    process.env.GANMOD_DATA_DIR = savedDataDir;
    await t?.cleanup();
  });

  it('the CLI and the dashboard see the same bank', async () => {
    const file = join(t.dir, 'known.png');
    writeFileSync(file, ringsPng(160));
    const added = (await cli('add', file, '--label', 'non-consensual', '--source', 'case-9')) as {
      added: number;
    }[];
    expect(added[0]!.added).toBeGreaterThanOrEqual(3);

    const seen = await as('MODERATOR').bank.list({});
    expect(seen.total).toBe(added[0]!.added);
    expect(seen.entries.every((e) => e.label === 'NON_CONSENSUAL' && e.source === 'case-9')).toBe(
      true,
    );
    // A resized, mirrored copy is found from the dashboard by its hash.
    const copy = join(t.dir, 'copy.png');
    writeFileSync(copy, ringsPng(112, true));
    const near = (await cli('list', '--image', copy)) as { entries: { id: string }[] };
    expect(near.entries.length).toBeGreaterThan(0);

    // Disabled in the dashboard: the CLI lists it as disabled, and the trail names both actors.
    const target = near.entries[0]!.id;
    expect(await as('MODERATOR').bank.setDisabled({ ids: [target], disabled: true })).toEqual({
      changed: 1,
    });
    const disabled = (await cli('list', '--disabled')) as { entries: { id: string }[] };
    expect(disabled.entries.map((e) => e.id)).toEqual([target]);
    const events = await as('ADMIN').bank.events({});
    expect(events.map((e) => [e.action, e.actorName])).toEqual([
      ['DISABLE', 'Mo'],
      ['ADD', expect.stringMatching(/^cli:/)],
    ]);

    // Exported by the CLI, the same list the dashboard's export route writes (enabled entries).
    const csv = await run(process.execPath, [trainerCli, 'bank', 'export'], {
      env: { ...process.env, DATABASE_URL: t.url },
    });
    expect(csv.stdout.trim().split('\n')).toHaveLength(seen.total - 1);
    expect(csv.stdout).toMatch(/^[0-9a-f]{64},\d+,non-consensual$/m);
  });

  it('lets moderators disable but only admins delete; engineers see nothing', async () => {
    const { entries } = await as('MODERATOR').bank.list({ limit: 1 });
    const id = entries[0]!.id;
    await expect(as('ENGINEER').bank.list({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(as('MODERATOR').bank.delete({ ids: [id] })).rejects.toBeInstanceOf(TRPCError);
    expect(await as('ADMIN').bank.delete({ ids: [id], note: 'wrong image' })).toEqual({
      deleted: 1,
    });
    const [last] = await as('MODERATOR').bank.events({ limit: 1 });
    expect(last).toMatchObject({ action: 'DELETE', actorName: 'Ada', note: `${id}: wrong image` });
    await expect(as('MODERATOR').bank.list({ near: 'not-a-hash' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('"Remove and bank" removes the item with its reason and banks its image', async () => {
    mkdirSync(join(t.dir, 'uploads'), { recursive: true });
    writeFileSync(join(t.dir, 'uploads', 'spam.png'), ringsPng(200, true));
    const item = await t.db.contentItem.create({
      data: { externalId: 'rb-1', imagePath: 'uploads/spam.png' },
    });
    await scoreContentItem(t.db, item, {
      action: 'REVIEW',
      policyVersion: 't',
      reasons: [],
      scores: [],
      reasonCode: 'policy.review',
      note: null,
    });
    const fresh = await t.db.contentItem.findUniqueOrThrow({ where: { id: item.id } });
    const r = await as('MODERATOR').bank.removeAndBank({
      itemId: item.id,
      version: fresh.version,
      reasonCode: 'spam',
      label: 'SPAM',
    });
    expect(r.decision).toMatchObject({ action: 'REMOVE', reasonCode: 'spam', actorName: 'Mo' });
    expect(r.bank.added).toBeGreaterThanOrEqual(3);
    const listed = await as('MODERATOR').bank.list({ label: 'SPAM' });
    expect(listed.entries.every((e) => e.sourceItem?.id === item.id)).toBe(true);
    // Again: the item is decided, nothing more is banked.
    await expect(
      as('ADMIN').bank.removeAndBank({
        itemId: item.id,
        version: fresh.version,
        reasonCode: 'spam',
        label: 'SPAM',
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await as('MODERATOR').bank.list({ label: 'SPAM' })).total).toBe(r.bank.added);
  });
});

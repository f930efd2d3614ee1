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
import { ringsPng, samplePng } from './support/png';
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
    expect(added[0]!.added).toBeGreaterThanOrEqual(30);
    const other = join(t.dir, 'other.png');
    writeFileSync(other, samplePng(4, 160));
    await cli('add', other, '--label', 'non-consensual', '--source', 'case-10');

    // One row per picture, its hashes counted; the summary counts pictures too.
    const seen = await as('MODERATOR').bank.list({});
    expect(seen.total).toBe(2);
    const known = seen.entries.find((e) => e.source === 'case-9')!;
    expect(known).toMatchObject({
      label: 'NON_CONSENSUAL',
      variant: 'original',
      hashCount: added[0]!.added,
    });
    expect((await as('MODERATOR').bank.summary()).NON_CONSENSUAL).toEqual({
      enabled: 2,
      disabled: 0,
    });
    // A resized, mirrored copy is found by the CLI by its image (its mirrors are searched too),
    // once, as its picture; the other picture is not near.
    const copy = join(t.dir, 'copy.png');
    writeFileSync(copy, ringsPng(112, true));
    const near = (await cli('list', '--image', copy)) as {
      total: number;
      entries: { id: string; distance: number }[];
    };
    expect(near.total).toBe(1);
    expect(near.entries[0]!.id).toBe(known.id);
    expect(near.entries[0]!.distance).toBeLessThanOrEqual(31);

    // Disabled in the dashboard: every hash of the picture, one audit event with the count; the
    // CLI lists it as disabled, and the trail names both actors.
    expect(await as('MODERATOR').bank.setDisabled({ ids: [known.id], disabled: true })).toEqual({
      changed: 1,
    });
    expect(await t.db.hashBankEntry.count({ where: { source: 'case-9', disabled: false } })).toBe(
      0,
    );
    const disabled = (await cli('list', '--disabled')) as { entries: { id: string }[] };
    expect(disabled.entries.map((e) => e.id)).toEqual([known.id]);
    const events = await as('ADMIN').bank.events({});
    expect(events.map((e) => [e.action, e.actorName, e.count])).toEqual([
      ['DISABLE', 'Mo', added[0]!.added],
      ['ADD', expect.stringMatching(/^cli:/), expect.any(Number)],
      ['ADD', expect.stringMatching(/^cli:/), added[0]!.added],
    ]);

    // Exported by the CLI, the same list the dashboard's export route writes: the enabled
    // picture's PDQ hashes (no DCT signatures, none of the disabled picture's).
    const csv = await run(process.execPath, [trainerCli, 'bank', 'export'], {
      env: { ...process.env, DATABASE_URL: t.url },
    });
    const enabledPdq = await t.db.hashBankEntry.count({
      where: { source: 'case-10', algorithm: 'pdq' },
    });
    expect(csv.stdout.trim().split('\n')).toHaveLength(enabledPdq);
    expect(csv.stdout).toMatch(/^[0-9a-f]{64},\d+,non-consensual$/m);
  });

  it('lets moderators disable but only admins delete; engineers see nothing', async () => {
    const { entries } = await as('MODERATOR').bank.list({ limit: 1 });
    const id = entries[0]!.id;
    const rows = entries[0]!.hashCount;
    await expect(as('ENGINEER').bank.list({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(as('MODERATOR').bank.delete({ ids: [id] })).rejects.toBeInstanceOf(TRPCError);
    expect(await as('ADMIN').bank.delete({ ids: [id], note: 'wrong image' })).toEqual({
      deleted: 1,
    });
    // The whole picture went, audited once.
    expect(await t.db.hashBankEntry.count({ where: { groupId: entries[0]!.groupId } })).toBe(0);
    const [last] = await as('MODERATOR').bank.events({ limit: 1 });
    expect(last).toMatchObject({ action: 'DELETE', actorName: 'Ada', count: rows });
    expect(last!.note).toMatch(/: wrong image$/);
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
    expect(listed.entries).toHaveLength(1);
    expect(listed.entries[0]).toMatchObject({
      sourceItem: { id: item.id },
      hashCount: r.bank.added,
    });
    // Again: the item is decided, nothing more is banked.
    await expect(
      as('ADMIN').bank.removeAndBank({
        itemId: item.id,
        version: fresh.version,
        reasonCode: 'spam',
        label: 'SPAM',
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await t.db.hashBankEntry.count({ where: { sourceItemId: item.id } })).toBe(r.bank.added);
  });
});

// Claims, decisions, optimistic concurrency, the audit log and stats, on real SQLite and PostgreSQL
// databases (a throwaway one on the local server).
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '~/lib/roles';
import type { SessionUser } from '~/server/auth/session';
import { appRouter } from '~/server/root';
import { createCallerFactory } from '~/server/trpc';
import { itemInReview } from './support/items';
import { createTempDb, PROVIDERS, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

const createCaller = createCallerFactory(appRouter);

describe.each(PROVIDERS)('review queue on %s', (provider) => {
  let t: TempDb;
  let users: Record<Role, SessionUser>;
  let mo: ReturnType<typeof createCaller>;
  let ada: ReturnType<typeof createCaller>;
  let bob: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    t = await createTempDb('queue', provider);
    users = await createRoleUsers(t.db);
    const bobUser = {
      id: 'bob-id',
      email: 'bob@test.local',
      name: 'Bob',
      role: 'MODERATOR' as const,
    };
    await t.db.user.create({
      data: { id: bobUser.id, email: bobUser.email, name: bobUser.name, role: 'MODERATOR' },
    });
    mo = createCaller({ db: t.db, user: users.MODERATOR });
    ada = createCaller({ db: t.db, user: users.ADMIN });
    bob = createCaller({ db: t.db, user: bobUser });
  });
  afterAll(async () => t?.cleanup());

  it('lists items filtered by category and score, sorted by age or score', async () => {
    const hour = 3_600_000;
    await itemInReview(
      t.db,
      'list-old',
      { 'synthetic-image': 0.7, 'spam-text': 0.1 },
      new Date(Date.now() - 5 * hour),
    );
    await itemInReview(t.db, 'list-mid', { 'spam-text': 0.95 }, new Date(Date.now() - 2 * hour));
    await itemInReview(t.db, 'list-new', { 'synthetic-image': 0.55 });
    const ids = async (input: Parameters<typeof mo.reviewQueue.list>[0]) =>
      (await mo.reviewQueue.list(input)).items.map((i) => i.externalId);
    expect(await ids({ sort: 'oldest' })).toEqual(['list-old', 'list-mid', 'list-new']);
    expect(await ids({ sort: 'newest' })).toEqual(['list-new', 'list-mid', 'list-old']);
    expect(await ids({ sort: 'score' })).toEqual(['list-mid', 'list-old', 'list-new']);
    // Categories are the vocabulary's: synthetic-image is a `synthetic` detector.
    expect(await ids({ category: 'synthetic' })).toEqual(['list-old', 'list-new']);
    expect(await ids({ minScore: 0.6 })).toEqual(['list-old', 'list-mid']);
    expect(await ids({ olderThanMinutes: 60 })).toEqual(['list-old', 'list-mid']);
    await t.db.contentItem.updateMany({
      where: { externalId: { startsWith: 'list-' } },
      data: { status: 'APPROVED' },
    });
  });

  it('gives an item to one moderator at a time, and names the holder to the other', async () => {
    const item = await itemInReview(t.db, 'claim-1', { 'synthetic-image': 0.9 });
    await mo.reviewQueue.claim({ id: item.id });
    await expect(bob.reviewQueue.claim({ id: item.id })).rejects.toThrow(
      /Mo is reviewing this item/,
    );
    // The holder can re-claim (extend); after release, the other can take it.
    await mo.reviewQueue.claim({ id: item.id });
    await mo.reviewQueue.release({ id: item.id });
    const claimed = await bob.reviewQueue.claim({ id: item.id });
    expect(claimed?.claimedBy?.name).toBe('Bob');
  });

  it('lets only one of many simultaneous claims win', async () => {
    const item = await itemInReview(t.db, 'claim-race');
    const results = await Promise.allSettled([
      mo.reviewQueue.claim({ id: item.id }),
      bob.reviewQueue.claim({ id: item.id }),
      ada.reviewQueue.claim({ id: item.id }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('lets a claim expire so a stalled item returns to the queue', async () => {
    const item = await itemInReview(t.db, 'claim-expired');
    await mo.reviewQueue.claim({ id: item.id });
    await t.db.contentItem.update({
      where: { id: item.id },
      data: { claimExpiresAt: new Date(Date.now() - 1000) },
    });
    expect((await bob.reviewQueue.claim({ id: item.id }))?.claimedBy?.name).toBe('Bob');
  });

  it('records a decision in the item and in the append-only log', async () => {
    const item = await itemInReview(t.db, 'decide-1', { 'synthetic-image': 0.9 });
    const opened = await mo.reviewQueue.claim({ id: item.id });
    await mo.reviewQueue.decide({
      itemId: item.id,
      version: opened!.version,
      action: 'REMOVE',
      reasonCode: 'synthetic-impersonation',
      note: 'GAN face',
    });
    const after = await mo.reviewQueue.item({ id: item.id });
    expect(after).toMatchObject({
      status: 'REMOVED',
      version: opened!.version + 1,
      claimedById: null,
    });
    expect(after.decisions.map((d) => [d.action, d.reasonCode, d.note, d.actorName])).toEqual([
      ['REMOVE', 'synthetic-impersonation', 'GAN face', 'Mo'],
    ]);
  });

  it('refuses a decision on an item someone else already decided, saying who', async () => {
    const item = await itemInReview(t.db, 'decide-stale');
    const seenByBob = await mo.reviewQueue.item({ id: item.id });
    await mo.reviewQueue.decide({
      itemId: item.id,
      version: seenByBob.version,
      action: 'APPROVE',
      reasonCode: 'no-violation',
    });
    const err = await bob.reviewQueue
      .decide({ itemId: item.id, version: seenByBob.version, action: 'REMOVE', reasonCode: 'spam' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe('CONFLICT');
    expect((err as TRPCError).message).toMatch(/Already decided by Mo .*approved.*not recorded/);
    expect(await t.db.decision.count({ where: { itemId: item.id } })).toBe(1);
  });

  it('records exactly one of two simultaneous decisions at the same version', async () => {
    const item = await itemInReview(t.db, 'decide-race');
    const results = await Promise.allSettled([
      mo.reviewQueue.decide({
        itemId: item.id,
        version: 0,
        action: 'APPROVE',
        reasonCode: 'no-violation',
      }),
      bob.reviewQueue.decide({ itemId: item.id, version: 0, action: 'REMOVE', reasonCode: 'spam' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await t.db.decision.count({ where: { itemId: item.id } })).toBe(1);
  });

  it('refuses to decide an item another moderator holds, and an out-of-date version', async () => {
    const item = await itemInReview(t.db, 'decide-held');
    await bob.reviewQueue.claim({ id: item.id });
    await expect(
      mo.reviewQueue.decide({
        itemId: item.id,
        version: 0,
        action: 'APPROVE',
        reasonCode: 'no-violation',
      }),
    ).rejects.toThrow(/Bob is reviewing/);
    await bob.reviewQueue.decide({
      itemId: item.id,
      version: 0,
      action: 'ESCALATE',
      reasonCode: 'legal',
    });
    // Escalated items stay decidable, but only at the new version.
    await expect(
      ada.reviewQueue.decide({
        itemId: item.id,
        version: 0,
        action: 'REMOVE',
        reasonCode: 'copyright',
      }),
    ).rejects.toThrow(/changed since you opened it/);
    await ada.reviewQueue.decide({
      itemId: item.id,
      version: 1,
      action: 'REMOVE',
      reasonCode: 'copyright',
    });
    expect((await ada.reviewQueue.item({ id: item.id })).status).toBe('REMOVED');
  });

  it('rejects reason codes that do not belong to the action', async () => {
    const item = await itemInReview(t.db, 'bad-reason');
    await expect(
      mo.reviewQueue.decide({ itemId: item.id, version: 0, action: 'APPROVE', reasonCode: 'spam' }),
    ).rejects.toThrow(/Unknown reason code/);
  });

  it('applies bulk actions item by item and reports the ones refused', async () => {
    const a = await itemInReview(t.db, 'bulk-a');
    const b = await itemInReview(t.db, 'bulk-b');
    await bob.reviewQueue.claim({ id: b.id });
    const result = await mo.reviewQueue.decideMany({
      items: [
        { itemId: a.id, version: 0 },
        { itemId: b.id, version: 0 },
      ],
      action: 'REMOVE',
      reasonCode: 'spam',
    });
    expect(result.decided).toBe(1);
    expect(result.results.find((r) => r.itemId === b.id)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/Bob/) as unknown,
    });
  });

  it('filters the decision log by moderator and action', async () => {
    const byBob = await mo.decisions.log({ actorId: 'bob-id' });
    expect(byBob.rows.length).toBeGreaterThan(0);
    expect(byBob.rows.every((r) => r.actorName === 'Bob')).toBe(true);
    const removals = await mo.decisions.log({ action: 'REMOVE' });
    expect(removals.rows.every((r) => r.action === 'REMOVE')).toBe(true);
    const page = await mo.decisions.log({ limit: 2 });
    const next = await mo.decisions.log({ limit: 2, cursor: page.nextCursor });
    expect(next.rows[0]?.id).not.toBe(page.rows[0]?.id);
  });

  it('keeps the name and role a moderator had when deciding, after the user is renamed', async () => {
    const renamed = { id: 'rena-id', email: 'rena@test.local', name: 'Rena', role: 'MODERATOR' };
    await t.db.user.create({ data: { ...renamed, role: 'MODERATOR' } });
    const rena = createCaller({ db: t.db, user: { ...renamed, role: 'MODERATOR' } });
    const item = await itemInReview(t.db, 'renamed-later');
    await rena.reviewQueue.decide({
      itemId: item.id,
      version: 0,
      action: 'APPROVE',
      reasonCode: 'no-violation',
    });
    // Renamed and promoted afterwards (by an admin, or by the user before self-renames were
    // blocked): the log must still say who decided, as they were then.
    await t.db.user.update({
      where: { id: renamed.id },
      data: { name: 'Someone Else', role: 'ADMIN' },
    });

    const log = await mo.decisions.log({ actorId: renamed.id });
    expect(log.rows.map((r) => [r.item.externalId, r.actorId, r.actorName, r.actorRole])).toEqual([
      ['renamed-later', renamed.id, 'Rena', 'MODERATOR'],
    ]);
    const history = await mo.reviewQueue.item({ id: item.id });
    expect(history.decisions.map((d) => d.actorName)).toEqual(['Rena']);
  });

  it('reports queue depth, decisions per hour and detector agreement', async () => {
    const stats = await mo.reviewQueue.stats();
    expect(stats.depth.inReview).toBe(
      await t.db.contentItem.count({ where: { status: 'IN_REVIEW' } }),
    );
    expect(stats.decisionsPerHour).toHaveLength(24);
    expect(stats.decisionsPerHour.reduce((n, h) => n + h.APPROVE + h.REMOVE + h.ESCALATE, 0)).toBe(
      stats.decisionsLast24h,
    );
    // decide-1: synthetic-image 0.9 flagged and removed -> agrees.
    const synthetic = stats.agreement.find((a) => a.detector === 'synthetic-image');
    expect(synthetic).toMatchObject({ agree: 1, total: 1, rate: 1 });
  });

  it('counts decisions per moderator account, not per name', async () => {
    const namesakes = ['sam-1', 'sam-2'].map((id) => ({
      id,
      email: `${id}@test.local`,
      name: 'Sam',
      role: 'MODERATOR' as const,
    }));
    for (const [i, sam] of namesakes.entries()) {
      await t.db.user.create({ data: sam });
      const item = await itemInReview(t.db, `namesake-${i}`);
      await createCaller({ db: t.db, user: sam }).reviewQueue.decide({
        itemId: item.id,
        version: 0,
        action: 'APPROVE',
        reasonCode: 'no-violation',
      });
    }
    const stats = await mo.reviewQueue.stats();
    const sams = stats.byModerator.filter((m) => m.name === 'Sam');
    expect(sams.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'sam-1', name: 'Sam', count: 1 },
      { id: 'sam-2', name: 'Sam', count: 1 },
    ]);
  });
});

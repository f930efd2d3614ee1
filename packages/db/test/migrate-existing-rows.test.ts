// The migrations that change existing tables, applied to a database that already holds rows of
// the schema before them: externalId unique per API key, and the decision actor snapshot with its
// backfill (which has to get past the append-only triggers and leave them in place).
import { describe, expect, it } from 'vitest';

import type { Db } from '../src/client.js';
import { isUniqueConstraintError } from '../src/errors.js';
import { PROVIDERS, useDatabaseMigratedOver } from './helpers.js';

/** The migrations under test: everything before them builds the "old" database. */
const UNDER_TEST = ['_external_id_per_api_key', '_decision_actor_snapshot'];

describe.each(PROVIDERS)('migrating a database with rows on %s', (provider) => {
  let db: Db;

  /** Plain SQL against the old schema (the client's models already describe the new one). */
  const sql = (text: string) => db.$executeRawUnsafe(text);

  useDatabaseMigratedOver(provider, UNDER_TEST, async (old) => {
    // The tests below read through the same client.
    db = old;
    const now = 'CURRENT_TIMESTAMP';
    await sql(
      `INSERT INTO "users" ("id", "name", "email", "role", "updatedAt") VALUES
        ('u-mo', 'Mo', 'mo@test.local', 'MODERATOR', ${now}),
        ('u-ada', 'Ada', 'ada@test.local', 'ADMIN', ${now})`,
    );
    await sql(
      `INSERT INTO "api_keys" ("id", "name", "prefix", "hash", "createdById") VALUES
        ('k-1', 'platform one', 'gm_one', 'hash-one', 'u-ada'),
        ('k-2', 'platform two', 'gm_two', 'hash-two', 'u-ada')`,
    );
    await sql(
      `INSERT INTO "content_items" ("id", "externalId", "caption", "sha256", "status", "submittedByKeyId", "updatedAt") VALUES
        ('i-1', 'post-1', 'first', 'aa', 'APPROVED', 'k-1', ${now}),
        ('i-2', 'post-2', 'second', 'bb', 'REMOVED', NULL, ${now})`,
    );
    await sql(
      `INSERT INTO "decisions" ("id", "itemId", "actorId", "action", "reasonCode", "note") VALUES
        ('d-1', 'i-1', NULL, 'REVIEW', 'policy.review', 'synthetic-image: 0.9'),
        ('d-2', 'i-1', 'u-mo', 'APPROVE', 'no-violation', NULL),
        ('d-3', 'i-2', 'u-ada', 'REMOVE', 'spam', 'ad')`,
    );
  });

  it('keeps every item and decision, and backfills the actor snapshot from users', async () => {
    const items = await db.contentItem.findMany({
      orderBy: { id: 'asc' },
      select: { id: true, externalId: true, caption: true, status: true, submittedByKeyId: true },
    });
    expect(items).toEqual([
      {
        id: 'i-1',
        externalId: 'post-1',
        caption: 'first',
        status: 'APPROVED',
        submittedByKeyId: 'k-1',
      },
      {
        id: 'i-2',
        externalId: 'post-2',
        caption: 'second',
        status: 'REMOVED',
        submittedByKeyId: null,
      },
    ]);
    const decisions = await db.decision.findMany({
      orderBy: { id: 'asc' },
      select: { id: true, actorId: true, actorName: true, actorRole: true, note: true },
    });
    expect(decisions).toEqual([
      { id: 'd-1', actorId: null, actorName: null, actorRole: null, note: 'synthetic-image: 0.9' },
      { id: 'd-2', actorId: 'u-mo', actorName: 'Mo', actorRole: 'MODERATOR', note: null },
      { id: 'd-3', actorId: 'u-ada', actorName: 'Ada', actorRole: 'ADMIN', note: 'ad' },
    ]);
  });

  it('leaves decisions append-only, snapshot included, and a rename does not reach them', async () => {
    for (const statement of [
      `UPDATE "decisions" SET "actorName" = 'Someone else' WHERE "id" = 'd-2'`,
      `UPDATE "decisions" SET "note" = 'rewritten'`,
      `DELETE FROM "decisions"`,
      ...(provider === 'postgres' ? [`TRUNCATE "decisions" CASCADE`] : []),
    ]) {
      await expect(sql(statement), statement).rejects.toThrow(/decisions are append-only/);
    }
    await db.user.update({ where: { id: 'u-mo' }, data: { name: 'Renamed', role: 'ADMIN' } });
    const d2 = await db.decision.findUniqueOrThrow({
      where: { id: 'd-2' },
      select: { actorName: true, actorRole: true },
    });
    expect(d2).toEqual({ actorName: 'Mo', actorRole: 'MODERATOR' });
    expect(await db.decision.count()).toBe(3);
  });

  it('makes externalId unique per API key instead of globally', async () => {
    // Another key may use the same external id; the same key may not.
    const other = await db.contentItem.create({
      data: { externalId: 'post-1', caption: 'their own', submittedByKeyId: 'k-2' },
      select: { id: true },
    });
    expect(other.id).not.toBe('i-1');
    const again = await db.contentItem
      .create({ data: { externalId: 'post-1', submittedByKeyId: 'k-1' } })
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(isUniqueConstraintError(again)).toBe(true);
    const mine = await db.contentItem.findUniqueOrThrow({
      where: { submittedByKeyId_externalId: { submittedByKeyId: 'k-1', externalId: 'post-1' } },
      select: { id: true },
    });
    expect(mine.id).toBe('i-1');
  });
});

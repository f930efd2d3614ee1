// Nothing acknowledged is lost: a burst of submissions to the production build, the server killed
// with SIGKILL the moment the first answers are in (others still in flight, group commits under
// way), then restarted on the same database: every submission that got a 201 is there, readable
// through the API, with its image on disk. On SQLite and PostgreSQL.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateApiKey } from '@ganmod/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from './server';
import { samplePng } from './support/png';
import { submit } from './support/submit';
import { createTempDb, PROVIDERS, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

/** Submissions in flight at any time: each client posts again as soon as it has its answer. */
const IN_FLIGHT = 48;
/** Kill as soon as this many 201s are in: the clients are still posting. */
const KILL_AFTER = 120;
/** A bound on the clients' posts, far above what they send before the kill. */
const MAX_POSTS = 20_000;

describe.each(PROVIDERS)('a 201 survives kill -9 of the server (%s)', (provider) => {
  let t: TempDb;
  const servers: RunningDashboard[] = [];
  let key = '';

  beforeAll(async () => {
    t = await createTempDb('crash', provider);
    const { ADMIN } = await createRoleUsers(t.db);
    const k = generateApiKey();
    await t.db.apiKey.create({
      data: {
        name: 'crash',
        prefix: k.prefix,
        hash: k.hash,
        rateLimitPerMinute: 100_000,
        createdById: ADMIN.id,
      },
    });
    key = k.secret;
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await t?.cleanup();
  });

  it('finds every acknowledged submission after a restart', async () => {
    const env = { DATABASE_URL: t.url, GANMOD_DATA_DIR: t.dir };
    const first = await startDashboard(env);
    servers.push(first);
    const acknowledged: { externalId: string; id: string; sha256: string }[] = [];
    const killed: Promise<void>[] = [];
    let posted = 0;
    let cutOff = 0;
    // Clients that keep posting until the server is gone, so posts are in flight (and group
    // commits under way) whenever the kill lands, however fast the server answers.
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (posted < MAX_POSTS) {
          const i = posted++;
          const externalId = `burst-${i}`;
          try {
            const res = await submit(first.url, key, {
              externalId,
              caption: `post ${i}`,
              image: samplePng(1000 + i),
            });
            expect(res.status, externalId).toBe(201);
            const body = (await res.json()) as { id: string; sha256: string };
            acknowledged.push({ externalId, id: body.id, sha256: body.sha256 });
            if (acknowledged.length === KILL_AFTER) killed.push(first.kill());
          } catch (err) {
            if (killed.length === 0) throw err;
            // Cut off by the kill: never acknowledged, so nothing is promised about it.
            cutOff++;
            return;
          }
        }
      }),
    );
    await Promise.all(killed);
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
    // The kill came while posts were in flight, or the test proves nothing.
    expect(cutOff).toBeGreaterThan(0);

    const second = await startDashboard(env);
    servers.push(second);
    for (const a of acknowledged) {
      const res = await fetch(`${second.url}/api/v1/submissions/${a.externalId}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.status, a.externalId).toBe(200);
      expect(await res.json()).toMatchObject({
        id: a.id,
        externalId: a.externalId,
        sha256: a.sha256,
      });
    }
    const rows = await t.db.contentItem.findMany({
      where: { id: { in: acknowledged.map((a) => a.id) } },
      select: { imagePath: true },
    });
    expect(rows).toHaveLength(acknowledged.length);
    for (const r of rows) expect(existsSync(join(t.dir, r.imagePath!))).toBe(true);
  });
});

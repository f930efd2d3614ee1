// Two dashboard instances (two `next start` processes) on one PostgreSQL database share each API
// key's rate limit: clients hitting both at once get limited together, and each 429 carries
// Retry-After. An in-memory limiter would let each instance pass the full limit.
import { generateApiKey } from '@ganmod/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from './server';
import { samplePng } from './support/png';
import { awayFromWindowEdge } from './support/rate-window';
import { submit } from './support/submit';
import { createTempDb, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

describe('rate limit across dashboard instances (production build, PostgreSQL)', () => {
  let t: TempDb;
  let instances: RunningDashboard[] = [];

  beforeAll(async () => {
    t = await createTempDb('instances', 'postgres');
    await createRoleUsers(t.db);
    const env = { DATABASE_URL: t.url, GANMOD_DATA_DIR: t.dir };
    instances = await Promise.all([startDashboard(env), startDashboard(env)]);
  });
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await t?.cleanup();
  });

  it('lets exactly the limit through when two clients with one key use both instances', async () => {
    const admin = await t.db.user.findFirstOrThrow({ where: { role: 'ADMIN' } });
    const k = generateApiKey();
    await t.db.apiKey.create({
      data: {
        name: 'shared',
        prefix: k.prefix,
        hash: k.hash,
        rateLimitPerMinute: 6,
        createdById: admin.id,
      },
    });
    await awayFromWindowEdge();

    const responses = await Promise.all(
      Array.from({ length: 14 }, (_, i) =>
        submit(instances[i % 2]!.url, k.secret, {
          externalId: `shared-${i}`,
          image: samplePng(200 + i),
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(6);
    expect(statuses.filter((s) => s === 429)).toHaveLength(8);
    for (const r of responses.filter((r) => r.status === 429)) {
      const retryAfter = Number(r.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(((await r.json()) as { error: string }).error).toMatch(/6 requests per minute/);
    }
    expect(await t.db.contentItem.count({ where: { externalId: { startsWith: 'shared-' } } })).toBe(
      6,
    );
  });
});

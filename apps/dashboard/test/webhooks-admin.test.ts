// The admin's webhook procedures on both databases: callback URLs are checked (https, http to
// localhost only with the development setting), only active keys get one, the secret is revealed
// to admins and rotated with a grace period, and deliveries are listed and replayed.
import { TRPCError } from '@trpc/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '@ganmod/db/client';
import type { SessionUser } from '~/server/auth/session';
import { appRouter } from '~/server/root';
import { createCallerFactory } from '~/server/trpc';
import { createTempDb, PROVIDERS, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

const createCaller = createCallerFactory(appRouter);

async function code(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (err) {
    return err instanceof TRPCError ? `${err.code}: ${err.message}` : String(err);
  }
}

describe.each(PROVIDERS)('webhook administration (%s)', (provider) => {
  let t: TempDb;
  let admin: SessionUser;
  let moderator: SessionUser;

  beforeAll(async () => {
    t = await createTempDb('webhooks-admin', provider);
    const users = await createRoleUsers(t.db);
    admin = users.ADMIN;
    moderator = users.MODERATOR;
  });
  afterEach(() => {
    delete process.env.GANMOD_WEBHOOK_HTTP_DEV;
  });
  afterAll(async () => t?.cleanup());

  async function key(revoked = false) {
    const { prefix, hash } = generateApiKey();
    return t.db.apiKey.create({
      data: {
        name: `k-${prefix}`,
        prefix,
        hash,
        createdById: admin.id,
        revokedAt: revoked ? new Date() : null,
      },
    });
  }

  it('checks the URL and the key, reveals and rotates the secret', async () => {
    const api = createCaller({ db: t.db, user: admin });
    const k = await key();
    expect(
      await code(api.webhooks.setUrl({ apiKeyId: k.id, url: 'http://example.com/h' })),
    ).toMatch(/BAD_REQUEST: The callback URL must use https/);
    expect(
      await code(api.webhooks.setUrl({ apiKeyId: k.id, url: 'http://localhost:9/h' })),
    ).toMatch(/GANMOD_WEBHOOK_HTTP_DEV=1/);
    process.env.GANMOD_WEBHOOK_HTTP_DEV = '1';
    expect(await api.webhooks.setUrl({ apiKeyId: k.id, url: 'http://localhost:9/h' })).toEqual({
      url: 'http://localhost:9/h',
      enabled: true,
    });
    const revoked = await key(true);
    expect(
      await code(api.webhooks.setUrl({ apiKeyId: revoked.id, url: 'https://p.example/h' })),
    ).toMatch(/NOT_FOUND/);

    const { secret } = await api.webhooks.revealSecret({ apiKeyId: k.id });
    expect(secret).toMatch(/^whsec_/);
    const rotated = await api.webhooks.rotateSecret({ apiKeyId: k.id });
    expect(rotated.secret).not.toBe(secret);
    const [endpoint] = (await api.webhooks.endpoints()).filter((e) => e.apiKeyId === k.id);
    expect(endpoint).toMatchObject({ rotating: true, enabled: true });
    expect(JSON.stringify(await api.webhooks.endpoints())).not.toContain('whsec_');

    // A moderator gets none of it.
    const mod = createCaller({ db: t.db, user: moderator });
    expect(await code(mod.webhooks.revealSecret({ apiKeyId: k.id }))).toMatch(/FORBIDDEN/);

    expect(await api.webhooks.clear({ apiKeyId: k.id })).toEqual({ ok: true });
    expect(await code(api.webhooks.revealSecret({ apiKeyId: k.id }))).toMatch(/NOT_FOUND/);
  });
});

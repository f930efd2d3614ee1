import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { verifyPassword } from 'better-auth/crypto';
import { describe, expect, it } from 'vitest';

import { hashApiKeySecret } from '../src/api-keys.js';
import { DbConfigError } from '../src/errors.js';
import { DEFAULT_ADMIN_EMAIL, seed } from '../src/seed.js';
import { PROVIDERS, useMigratedDatabase } from './helpers.js';

describe.each(PROVIDERS)('seed on %s', (provider) => {
  const database = useMigratedDatabase(provider);
  const env = {
    GANMOD_ADMIN_EMAIL: 'root@example.test',
    GANMOD_ADMIN_PASSWORD: 'correct horse',
    GANMOD_DEMO: '1',
  };

  it('creates the admin and demo data once', async () => {
    const first = await seed(database.db, { env });
    expect(first.admin).toMatchObject({ email: 'root@example.test', role: 'ADMIN', created: true });
    expect(first.demoUsers.map((u) => [u.email, u.role, u.created])).toEqual([
      ['engineer@example.test', 'ENGINEER', true],
      ['moderator@example.test', 'MODERATOR', true],
    ]);
    // Demo accounts get their own random passwords, never the admin's.
    const [engineer, moderator] = first.demoUsers.map((u) => u.password ?? '');
    expect(engineer).toMatch(/^[\w-]{20}$/);
    expect(moderator).toMatch(/^[\w-]{20}$/);
    expect(new Set([engineer, moderator, 'correct horse']).size).toBe(3);
    expect(first.apiKey?.secret).toMatch(/^gm_/);
    expect(first.createdContentItems).toBe(2);
    expect(first.createdHashBankEntries).toBe(3);

    // Only the hash of the API key is stored, and it matches the secret shown once.
    const key = await database.db.apiKey.findUniqueOrThrow({ where: { id: first.apiKey!.id } });
    expect(key.hash).toBe(hashApiKeySecret(first.apiKey!.secret!));
    expect(first.apiKey!.secret!.startsWith(key.prefix)).toBe(true);

    const queue = await database.db.contentItem.findMany({
      where: { status: 'IN_REVIEW' },
      include: { scores: true, decisions: true },
    });
    expect(queue).toHaveLength(2);
    for (const item of queue) {
      expect(item.scores.length).toBeGreaterThan(0);
      expect(item.decisions).toMatchObject([{ action: 'REVIEW', actorId: null }]);
    }

    const counts = async () => ({
      users: await database.db.user.count(),
      accounts: await database.db.account.count(),
      keys: await database.db.apiKey.count(),
      items: await database.db.contentItem.count(),
      scores: await database.db.detectorScore.count(),
      decisions: await database.db.decision.count(),
      hashes: await database.db.hashBankEntry.count(),
    });
    const before = await counts();
    const second = await seed(database.db, { env });
    expect(await counts()).toEqual(before);
    expect(second.admin.created).toBe(false);
    expect(second.apiKey).toMatchObject({ created: false, prefix: key.prefix });
    expect(second.apiKey?.secret).toBeUndefined();
    expect(second.createdContentItems + second.createdHashBankEntries).toBe(0);
  });

  it("stores the admin password as better-auth's own hash", async () => {
    const account = await database.db.account.findFirstOrThrow({
      where: { providerId: 'credential', user: { email: 'root@example.test' } },
    });
    expect(await verifyPassword({ hash: account.password!, password: 'correct horse' })).toBe(true);
    expect(await verifyPassword({ hash: account.password!, password: 'wrong horse' })).toBe(false);
  });

  it('lets better-auth sign the admin in through its prisma adapter', async () => {
    const auth = betterAuth({
      database: prismaAdapter(database.db, {
        provider: provider === 'sqlite' ? 'sqlite' : 'postgresql',
      }),
      emailAndPassword: { enabled: true },
      secret: 'test-secret-test-secret-test-secret-0123',
      baseURL: 'http://localhost:3000',
      telemetry: { enabled: false },
      logger: { disabled: true },
      user: {
        additionalFields: {
          role: { type: 'string', input: false },
          disabled: { type: 'boolean', input: false },
        },
      },
    });
    const result = await auth.api.signInEmail({
      body: { email: 'root@example.test', password: 'correct horse' },
    });
    expect(result.user).toMatchObject({ email: 'root@example.test', role: 'ADMIN' });
    const session = await database.db.session.findUniqueOrThrow({ where: { token: result.token } });
    expect(session.userId).toBe(result.user.id);
  });

  it('rejects a weak admin password with a clear message', async () => {
    const error: unknown = await seed(database.db, {
      adminEmail: DEFAULT_ADMIN_EMAIL,
      adminPassword: 'short',
      demo: false,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DbConfigError);
    expect((error as Error).message).toBe(
      'GANMOD_ADMIN_PASSWORD: Passwords must be at least 12 characters long.',
    );
  });
});

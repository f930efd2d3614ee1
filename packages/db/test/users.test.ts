import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { connectDb } from '../src/client.js';
import { DbConfigError } from '../src/errors.js';
import { migrate } from '../src/migrate/index.js';
import { seed } from '../src/seed.js';
import {
  PasswordPolicyError,
  checkPassword,
  createPasswordUser,
  passwordProblem,
  setPassword,
} from '../src/users.js';
import { PROVIDERS, createTestDatabase, useMigratedDatabase } from './helpers.js';

describe('passwordProblem', () => {
  it.each([
    ['short-pass1', /at least 12/],
    ['a'.repeat(129), /at most 128/],
    ['zzzzzzzzzzzzzzzz', /single character/],
    ['ganmod-admin1', /guessing list/],
    ['Password1234', /guessing list/],
    ['alice.smith-2026', /email address/],
  ])('refuses %j', (password, message) => {
    expect(passwordProblem(password, 'alice.smith@example.test')).toMatch(message);
  });

  it('accepts a long passphrase', () => {
    expect(passwordProblem('correct horse battery', 'alice@example.test')).toBeNull();
  });
});

describe.each(PROVIDERS)('accounts on %s', (provider) => {
  const database = useMigratedDatabase(provider);

  const openSession = (userId: string) =>
    database.db.session.create({
      data: {
        id: randomUUID(),
        token: randomUUID(),
        userId,
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });

  it('gives a fresh install a random admin password, and a second install another one', async () => {
    const first = await seed(database.db, { env: {} });
    expect(first.admin).toMatchObject({ email: 'admin@ganmod.local', created: true });
    expect(first.admin.password).toMatch(/^[\w-]{20}$/);
    expect(await checkPassword(database.db, first.admin.id, first.admin.password!)).toBe(true);
    // No demo accounts unless asked for.
    expect(first.demoUsers).toEqual([]);
    expect(await database.db.user.count()).toBe(1);

    // A later start neither shows nor changes the password.
    const again = await seed(database.db, { env: {} });
    expect(again.admin).toMatchObject({ created: false, passwordReset: false });
    expect(again.admin.password).toBeUndefined();
    expect(await checkPassword(database.db, first.admin.id, first.admin.password!)).toBe(true);

    const other = await createTestDatabase(provider);
    try {
      await migrate(other.url);
      const otherDb = await connectDb(other.url);
      const second = await seed(otherDb, { env: {} });
      await otherDb.$disconnect();
      expect(second.admin.password).not.toBe(first.admin.password);
    } finally {
      await other.drop();
    }
  });

  it('resets the admin to GANMOD_ADMIN_PASSWORD set after the first start, ending their sessions', async () => {
    const admin = await database.db.user.findUniqueOrThrow({
      where: { email: 'admin@ganmod.local' },
    });
    await openSession(admin.id);
    const result = await seed(database.db, {
      env: { GANMOD_ADMIN_PASSWORD: 'operator chosen phrase' },
    });
    expect(result.admin).toMatchObject({ created: false, passwordReset: true });
    expect(await checkPassword(database.db, admin.id, 'operator chosen phrase')).toBe(true);
    expect(await database.db.session.count({ where: { userId: admin.id } })).toBe(0);
    // Same password again: nothing to do, sessions stay.
    await openSession(admin.id);
    const same = await seed(database.db, {
      env: { GANMOD_ADMIN_PASSWORD: 'operator chosen phrase' },
    });
    expect(same.admin.passwordReset).toBe(false);
    expect(await database.db.session.count({ where: { userId: admin.id } })).toBe(1);
  });

  it('refuses a weak GANMOD_ADMIN_PASSWORD before touching the database', async () => {
    await expect(
      seed(database.db, { env: { GANMOD_ADMIN_PASSWORD: 'ganmod-admin' } }),
    ).rejects.toThrow(DbConfigError);
    expect(await checkPassword(database.db, await adminId(), 'operator chosen phrase')).toBe(true);
  });

  async function adminId(): Promise<string> {
    return (await database.db.user.findUniqueOrThrow({ where: { email: 'admin@ganmod.local' } }))
      .id;
  }

  it('setPassword revokes every session but the one kept, and applies the policy', async () => {
    const user = await createPasswordUser(database.db, {
      email: 'Mod@Example.test',
      name: 'Mod',
      password: 'first passphrase here',
      role: 'MODERATOR',
    });
    expect(user.email).toBe('mod@example.test');
    const keep = await openSession(user.id);
    await openSession(user.id);
    await openSession(user.id);
    const { revokedSessions } = await setPassword(database.db, user.id, 'second passphrase here', {
      keepSessionId: keep.id,
    });
    expect(revokedSessions).toBe(2);
    expect(
      (await database.db.session.findMany({ where: { userId: user.id } })).map((s) => s.id),
    ).toEqual([keep.id]);
    expect(await checkPassword(database.db, user.id, 'second passphrase here')).toBe(true);
    expect(await checkPassword(database.db, user.id, 'first passphrase here')).toBe(false);
    await expect(setPassword(database.db, user.id, 'tooshort')).rejects.toThrow(
      PasswordPolicyError,
    );
    expect(await checkPassword(database.db, user.id, 'second passphrase here')).toBe(true);
  });
});

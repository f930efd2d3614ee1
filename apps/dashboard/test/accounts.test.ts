// Own password changes, admin resets and renames (issue 12, finding 7), through the real router on
// a real database (SQLite and PostgreSQL): policy, throttling, session revocation, role gates.
import { randomUUID } from 'node:crypto';
import { checkPassword, type Db } from '@ganmod/db/client';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import type { Role } from '~/lib/roles';
import type { SessionUser } from '~/server/auth/session';
import {
  checkPasswordThrottled,
  MAX_WRONG_PASSWORDS,
  WRONG_PASSWORD_WINDOW_MS,
} from '~/server/auth/password-attempts';
import { appRouter } from '~/server/root';
import { FieldError } from '~/server/field-error';
import { createCallerFactory } from '~/server/trpc';
import { createTempDb, PROVIDERS, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const createCaller = createCallerFactory(appRouter);

async function failure(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TRPCError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** The field a BAD_REQUEST names (what the form shows next to the input). */
function fieldOf(err: TRPCError): string | undefined {
  return err.cause instanceof FieldError ? err.cause.path : undefined;
}

async function openSession(db: Db, userId: string): Promise<string> {
  const id = randomUUID();
  await db.session.create({
    data: { id, userId, token: randomUUID(), expiresAt: new Date(Date.now() + 3_600_000) },
  });
  return id;
}

describe.each(PROVIDERS)('accounts (%s)', (provider) => {
  let t: TempDb;
  let users: Record<Role, SessionUser>;
  const as = (user: SessionUser, sessionId?: string) =>
    createCaller({ db: t.db, user: sessionId ? { ...user, sessionId } : user });

  beforeAll(async () => {
    t = await createTempDb('accounts', provider);
    users = await createRoleUsers(t.db, PASSWORD);
  });
  afterAll(async () => t?.cleanup());

  it('refuses a weak new password with the policy message, before checking anything else', async () => {
    const err = await failure(
      as(users.ENGINEER).account.changePassword({
        currentPassword: PASSWORD,
        newPassword: 'short-pass1',
        confirmPassword: 'short-pass1',
      }),
    );
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe('Passwords must be at least 12 characters long.');
    expect(fieldOf(err)).toBe('newPassword');
    const common = await failure(
      as(users.ENGINEER).account.changePassword({
        currentPassword: PASSWORD,
        newPassword: 'password1234',
        confirmPassword: 'password1234',
      }),
    );
    expect(common.message).toMatch(/guessing list/);
    expect(await checkPassword(t.db, users.ENGINEER.id, PASSWORD)).toBe(true);
  });

  it('refuses mismatched confirmation and a wrong current password', async () => {
    const mismatch = await failure(
      as(users.ENGINEER).account.changePassword({
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        confirmPassword: `${NEW_PASSWORD}!`,
      }),
    );
    expect(mismatch.code).toBe('BAD_REQUEST');
    const wrong = await failure(
      as(users.ENGINEER).account.changePassword({
        currentPassword: 'not my password at all',
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      }),
    );
    expect(wrong.code).toBe('BAD_REQUEST');
    expect(wrong.message).toBe('That is not your current password');
    expect(fieldOf(wrong)).toBe('currentPassword');
    expect(await checkPassword(t.db, users.ENGINEER.id, PASSWORD)).toBe(true);
  });

  it('changes the password, keeps the caller’s session and ends the others', async () => {
    const me = users.MODERATOR;
    const current = await openSession(t.db, me.id);
    const elsewhere = await openSession(t.db, me.id);
    const otherUsers = await openSession(t.db, users.ENGINEER.id);
    const result = await as(me, current).account.changePassword({
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(result).toEqual({ revokedSessions: 1, signedOut: false });
    expect(await checkPassword(t.db, me.id, NEW_PASSWORD)).toBe(true);
    expect(await checkPassword(t.db, me.id, PASSWORD)).toBe(false);
    const left = await t.db.session.findMany({ select: { id: true } });
    expect(left.map((s) => s.id).sort()).toEqual([current, otherUsers].sort());
    expect(left.map((s) => s.id)).not.toContain(elsewhere);
  });

  it(`throttles wrong current passwords: after ${MAX_WRONG_PASSWORDS}, even the right one is refused`, async () => {
    const victim = users.ADMIN;
    for (let i = 0; i < MAX_WRONG_PASSWORDS; i++) {
      const err = await failure(
        as(victim).account.changePassword({
          currentPassword: `guess number ${i}`,
          newPassword: NEW_PASSWORD,
          confirmPassword: NEW_PASSWORD,
        }),
      );
      expect(err.message).toBe('That is not your current password');
    }
    const locked = await failure(
      as(victim).account.changePassword({
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      }),
    );
    expect(locked.code).toBe('TOO_MANY_REQUESTS');
    expect(locked.message).toMatch(/Try again in 15 minutes/);
    expect(await checkPassword(t.db, victim.id, PASSWORD)).toBe(true);
    // The window passes: the right password works again.
    const later = new Date(Date.now() + WRONG_PASSWORD_WINDOW_MS + 1000);
    expect(await checkPasswordThrottled(t.db, victim.id, PASSWORD, later)).toEqual({
      result: 'ok',
    });
  });

  it('concurrent guesses cannot get past the limit', async () => {
    const { id } = await t.db.user.create({
      data: { id: randomUUID(), email: 'racer@test.local', name: 'Racer', role: 'MODERATOR' },
    });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => checkPasswordThrottled(t.db, id, `guess ${i}`)),
    );
    const compared = results.filter((r) => r.result !== 'throttled').length;
    expect(compared).toBeLessThanOrEqual(MAX_WRONG_PASSWORDS);
  });

  it('admins reset another user’s password: generated, shown once, every session ended', async () => {
    const target = users.ENGINEER;
    await t.db.session.deleteMany({ where: { userId: target.id } });
    await openSession(t.db, target.id);
    await openSession(t.db, target.id);
    const adminSession = await openSession(t.db, users.ADMIN.id);
    const reset = await as(users.ADMIN).users.resetPassword({ userId: target.id });
    expect(reset.revokedSessions).toBe(2);
    expect(reset.generatedPassword).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(await checkPassword(t.db, target.id, reset.generatedPassword!)).toBe(true);
    expect(await checkPassword(t.db, target.id, PASSWORD)).toBe(false);
    expect(await t.db.session.count({ where: { userId: target.id } })).toBe(0);
    expect(await t.db.session.count({ where: { id: adminSession } })).toBe(1);
    // A typed password follows the policy and is not echoed back.
    const weak = await failure(
      as(users.ADMIN).users.resetPassword({ userId: target.id, password: 'engineer' }),
    );
    expect(weak.code).toBe('BAD_REQUEST');
    expect(fieldOf(weak)).toBe('password');
    expect(weak.message).toMatch(/at least 12 characters/);
    const typed = await as(users.ADMIN).users.resetPassword({
      userId: target.id,
      password: PASSWORD,
    });
    expect(typed.generatedPassword).toBeNull();
    expect(await checkPassword(t.db, target.id, PASSWORD)).toBe(true);
    // Their own password goes through the Account page.
    const self = await failure(as(users.ADMIN).users.resetPassword({ userId: users.ADMIN.id }));
    expect(self.code).toBe('BAD_REQUEST');
  });

  it('admins rename users (trimmed, 1 to 100 characters)', async () => {
    const renamed = await as(users.ADMIN).users.rename({
      userId: users.ENGINEER.id,
      name: '  Eve Engineer  ',
    });
    expect(renamed.name).toBe('Eve Engineer');
    for (const name of ['', '   ', 'x'.repeat(101)]) {
      const err = await failure(as(users.ADMIN).users.rename({ userId: users.ENGINEER.id, name }));
      expect(err.code).toBe('BAD_REQUEST');
    }
    const missing = await failure(as(users.ADMIN).users.rename({ userId: 'nobody', name: 'X' }));
    expect(missing.code).toBe('NOT_FOUND');
  });

  it('moderators and engineers cannot reset passwords or rename anyone', async () => {
    for (const role of ['MODERATOR', 'ENGINEER'] as const) {
      const caller = as(users[role]);
      expect((await failure(caller.users.resetPassword({ userId: users.ADMIN.id }))).code).toBe(
        'FORBIDDEN',
      );
      expect(
        (await failure(caller.users.rename({ userId: users.ADMIN.id, name: 'Owned' }))).code,
      ).toBe('FORBIDDEN');
    }
    expect(await checkPassword(t.db, users.ADMIN.id, PASSWORD)).toBe(true);
  });

  it('users.create applies the password policy, naming the rule on the field', async () => {
    const err = await failure(
      as(users.ADMIN).users.create({
        email: 'newbie@test.local',
        name: 'Newbie',
        password: 'eleven-char',
        role: 'MODERATOR',
      }),
    );
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.cause).toBeInstanceOf(ZodError);
    const issue = (err.cause as ZodError).issues[0]!;
    expect(issue.path).toEqual(['password']);
    expect(issue.message).toBe('Passwords must be at least 12 characters long.');
    const created = await as(users.ADMIN).users.create({
      email: 'newbie@test.local',
      name: 'Newbie',
      password: 'twelve-chars',
      role: 'MODERATOR',
    });
    expect(created.email).toBe('newbie@test.local');
  });
});

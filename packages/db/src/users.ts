import { randomBytes, randomUUID } from 'node:crypto';

import { hashPassword, verifyPassword } from 'better-auth/crypto';

import type { Db } from './db-types.js';
import type { Role } from './generated/sqlite/enums.js';

/** Shortest password the project accepts (NIST SP 800-63B asks for at least 8; we ask 12). */
export const PASSWORD_MIN_LENGTH = 12;
/** Longest password accepted: scrypt hashes whatever it is given, so bound the work. */
export const PASSWORD_MAX_LENGTH = 128;

/** A handful of passwords every guessing list starts with; longer ones than the minimum only. */
const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  'password1234',
  'passwordpassword',
  'qwertyuiopas',
  'ganmod-admin',
  'ganmod-admin1',
  'administrator',
  'letmeinletmein',
  'changemechangeme',
]);

/**
 * What is wrong with `password` under the project's policy, or null when it is acceptable:
 * 12 to 128 characters, not all one character, not a well-known password, and not the account's
 * email address or its local part.
 */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return `Passwords must be at least ${PASSWORD_MIN_LENGTH} characters long.`;
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return `Passwords must be at most ${PASSWORD_MAX_LENGTH} characters long.`;
  }
  if (new Set(password).size === 1) return 'Passwords cannot repeat a single character.';
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return 'That password is on every guessing list; pick another.';
  if (email) {
    const address = email.toLowerCase();
    const local = address.split('@')[0] ?? '';
    if (lower === address || (local.length >= 4 && lower.includes(local))) {
      return 'Passwords cannot contain the account’s email address.';
    }
  }
  return null;
}

/** Thrown when a password breaks {@link passwordProblem}'s policy; the message says how. */
export class PasswordPolicyError extends Error {
  override name = 'PasswordPolicyError';
}

function assertPasswordPolicy(password: string, email: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw new PasswordPolicyError(problem);
}

/** A random password of 20 URL-safe characters (120 bits), for new installs and resets. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

/** The fields of a user that callers get back. */
export const userSummarySelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabled: true,
  createdAt: true,
} as const;

/**
 * Creates a user who signs in with email + password, written the way better-auth's credential
 * provider reads it (a `credential` Account whose `accountId` is the user id, holding the scrypt
 * hash). The password must pass {@link passwordProblem}.
 */
export async function createPasswordUser(
  db: Db,
  input: { email: string; name: string; password: string; role: Role },
) {
  const email = input.email.trim().toLowerCase();
  assertPasswordPolicy(input.password, email);
  const id = randomUUID();
  const password = await hashPassword(input.password);
  return db.user.create({
    data: {
      id,
      email,
      name: input.name,
      role: input.role,
      emailVerified: true,
      accounts: { create: { id: randomUUID(), accountId: id, providerId: 'credential', password } },
    },
    select: userSummarySelect,
  });
}

/** Whether `password` is the user's current password (false when they have none). */
export async function checkPassword(db: Db, userId: string, password: string): Promise<boolean> {
  const account = await db.account.findFirst({
    where: { userId, providerId: 'credential' },
    select: { password: true },
  });
  if (!account?.password) return false;
  return verifyPassword({ hash: account.password, password });
}

/** Options of {@link setPassword}. */
export interface SetPasswordOptions {
  /** Sessions to keep open (the caller's own, when users change their own password). */
  keepSessionId?: string;
}

/**
 * Sets a user's password (creating their credential account if they had none) and signs them out
 * everywhere else: every session but `keepSessionId` is deleted in the same transaction, so a
 * stolen session does not outlive a reset. The password must pass {@link passwordProblem}.
 *
 * @returns how many sessions were revoked.
 */
export async function setPassword(
  db: Db,
  userId: string,
  password: string,
  options: SetPasswordOptions = {},
): Promise<{ revokedSessions: number }> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
  assertPasswordPolicy(password, user.email);
  const hash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const updated = await tx.account.updateMany({
      where: { userId, providerId: 'credential' },
      data: { password: hash },
    });
    if (updated.count === 0) {
      await tx.account.create({
        data: {
          id: randomUUID(),
          accountId: userId,
          providerId: 'credential',
          userId,
          password: hash,
        },
      });
    }
    const revoked = await tx.session.deleteMany({
      where: {
        userId,
        ...(options.keepSessionId ? { id: { not: options.keepSessionId } } : {}),
      },
    });
    return { revokedSessions: revoked.count };
  });
}

import 'server-only';
import { randomUUID } from 'node:crypto';
import { checkPassword, type Db } from '@ganmod/db/client';

/** Wrong current passwords allowed per user and window before checks are refused. */
export const MAX_WRONG_PASSWORDS = 5;
/** The window those wrong attempts are counted in. */
export const WRONG_PASSWORD_WINDOW_MS = 15 * 60_000;

/** What a throttled password check found. */
export type PasswordCheck =
  { result: 'ok' } | { result: 'wrong' } | { result: 'throttled'; retryAfterSeconds: number };

const identifierOf = (userId: string) => `password-check:${userId}`;

/**
 * Checks a signed-in user's current password (before they change it) at most
 * {@link MAX_WRONG_PASSWORDS} times wrong per {@link WRONG_PASSWORD_WINDOW_MS}, so a stolen
 * session cannot be turned into a password oracle.
 *
 * Attempts are rows of better-auth's `verifications` table (identifier `password-check:<user>`,
 * expiring with the window), so every dashboard instance shares one count. Each attempt is
 * written BEFORE the password is compared and counted after, so concurrent guesses cannot all
 * slip under the limit: past it they are all refused. A right password removes its own row.
 */
export async function checkPasswordThrottled(
  db: Db,
  userId: string,
  password: string,
  now: Date = new Date(),
): Promise<PasswordCheck> {
  const identifier = identifierOf(userId);
  await db.verification.deleteMany({ where: { identifier, expiresAt: { lte: now } } });
  const id = randomUUID();
  await db.verification.create({
    data: {
      id,
      identifier,
      value: 'attempt',
      expiresAt: new Date(now.getTime() + WRONG_PASSWORD_WINDOW_MS),
    },
  });
  const recent = await db.verification.findMany({
    where: { identifier, expiresAt: { gt: now } },
    select: { id: true, expiresAt: true },
    orderBy: { expiresAt: 'asc' },
  });
  if (recent.length > MAX_WRONG_PASSWORDS) {
    // Refused without comparing; this attempt does not extend the lockout.
    await db.verification.deleteMany({ where: { id } });
    const oldest = recent[0]!.expiresAt.getTime();
    return {
      result: 'throttled',
      retryAfterSeconds: Math.max(1, Math.ceil((oldest - now.getTime()) / 1000)),
    };
  }
  if (await checkPassword(db, userId, password)) {
    await db.verification.deleteMany({ where: { id } });
    return { result: 'ok' };
  }
  return { result: 'wrong' };
}

/** Forgets a user's counted attempts (their password was reset by an admin). */
export async function clearPasswordAttempts(db: Db, userId: string): Promise<void> {
  await db.verification.deleteMany({ where: { identifier: identifierOf(userId) } });
}

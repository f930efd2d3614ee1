import 'server-only';
import { randomUUID } from 'node:crypto';
import { hashPassword } from 'better-auth/crypto';
import type { Db } from '@ganmod/db/client';
import type { Role } from '~/lib/roles';

/**
 * Creates a user who signs in with email + password, written the way better-auth's credential
 * provider reads it (a `credential` Account holding the scrypt hash).
 */
export async function createPasswordUser(
  db: Db,
  input: { email: string; name: string; password: string; role: Role },
) {
  const id = randomUUID();
  const password = await hashPassword(input.password);
  return db.user.create({
    data: {
      id,
      email: input.email.toLowerCase(),
      name: input.name,
      role: input.role,
      emailVerified: true,
      accounts: { create: { id: randomUUID(), accountId: id, providerId: 'credential', password } },
    },
    select: { id: true, email: true, name: true, role: true, disabled: true, createdAt: true },
  });
}

import type { Db } from '@ganmod/db';
import type { SessionUser } from '~/server/auth/session';
import { createPasswordUser } from '~/server/auth/users';
import type { Role } from '~/lib/roles';

/** One real user per role, created through the same code path the admin page uses. */
export async function createRoleUsers(
  db: Db,
  password = 'correct horse battery',
): Promise<Record<Role, SessionUser>> {
  const make = async (role: Role, name: string) => {
    const u = await createPasswordUser(db, {
      email: `${name.toLowerCase()}@test.local`,
      name,
      password,
      role,
    });
    return { id: u.id, email: u.email, name: u.name, role };
  };
  return {
    ADMIN: await make('ADMIN', 'Ada'),
    ENGINEER: await make('ENGINEER', 'Eve'),
    MODERATOR: await make('MODERATOR', 'Mo'),
  };
}

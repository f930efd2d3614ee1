// Walks EVERY procedure of the app router and proves the role gate: anonymous callers get
// UNAUTHORIZED, wrong roles get FORBIDDEN, and allowed roles get past the gate.
import type { AnyProcedure } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from '~/lib/roles';
import type { SessionUser } from '~/server/auth/session';
import { appRouter } from '~/server/root';
import { createCallerFactory, type Meta } from '~/server/trpc';
import { createTempDb, PROVIDERS, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

const createCaller = createCallerFactory(appRouter);
const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, AnyProcedure>,
);

async function callAs(t: TempDb, user: SessionUser | null, path: string): Promise<unknown> {
  const caller = createCaller({ db: t.db, user }) as unknown as Record<string, unknown>;
  const fn = path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (fn as (input: unknown) => Promise<unknown>)(undefined);
}

async function errorCode(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (err) {
    return err instanceof TRPCError ? err.code : `not a TRPCError: ${String(err)}`;
  }
}

describe.each(PROVIDERS)('every tRPC procedure checks the caller and the role (%s)', (provider) => {
  let t: TempDb;
  let users: Record<Role, SessionUser>;

  beforeAll(async () => {
    t = await createTempDb('router', provider);
    users = await createRoleUsers(t.db);
  });
  afterAll(async () => t?.cleanup());

  it('finds the whole router', () => {
    // Guards against the walk silently covering nothing.
    expect(procedures.length).toBeGreaterThanOrEqual(25);
  });

  it.each(procedures.map(([path]) => path))('%s declares its roles', (path) => {
    const meta = (appRouter._def.procedures as unknown as Record<string, AnyProcedure>)[path]?._def
      .meta as Meta | undefined;
    expect(meta?.roles.length).toBeGreaterThan(0);
  });

  it.each(procedures.map(([path]) => path))(
    '%s refuses anonymous callers and wrong roles',
    async (path) => {
      const meta = (appRouter._def.procedures as unknown as Record<string, AnyProcedure>)[path]!
        ._def.meta as Meta;
      expect(await errorCode(callAs(t, null, path))).toBe('UNAUTHORIZED');
      for (const role of roles) {
        const code = await errorCode(callAs(t, users[role], path));
        if (meta.roles.includes(role))
          expect(['UNAUTHORIZED', 'FORBIDDEN'], `${path} as ${role}`).not.toContain(code);
        else expect(code, `${path} as ${role}`).toBe('FORBIDDEN');
      }
    },
  );

  it('admins pass every gate; engineers and moderators are kept to their areas', () => {
    const rolesOf = (prefix: string) =>
      procedures
        .filter(([p]) => p.startsWith(prefix))
        .map(([, proc]) => (proc._def.meta as Meta).roles);
    for (const [, proc] of procedures) expect((proc._def.meta as Meta).roles).toContain('ADMIN');
    for (const r of [...rolesOf('users.'), ...rolesOf('apiKeys.')]) expect(r).toEqual(['ADMIN']);
    for (const r of [...rolesOf('reviewQueue.'), ...rolesOf('decisions.')])
      expect(r).not.toContain('ENGINEER');
    for (const r of rolesOf('runs.')) expect(r).not.toContain('MODERATOR');
  });
});

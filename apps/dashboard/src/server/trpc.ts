import 'server-only';
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import type { Db } from '@ganmod/db/client';
import { hasRole, type Role } from '~/lib/roles';
import { FieldError } from './field-error';
import { userFromHeaders, type SessionUser } from './auth/session';
import { getDb } from './db';

/** What every procedure sees: the database and the caller (null when not signed in). */
export interface Context {
  db: Db;
  user: SessionUser | null;
}

/** Procedure metadata: the roles a procedure admits; the router-walk test reads it. */
export interface Meta {
  roles: readonly Role[];
}

/** Builds the context for one HTTP request from its session cookie. */
export async function createContext(req: Request): Promise<Context> {
  return {
    db: getDb(),
    user: await userFromHeaders(req.headers),
  };
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    // Dates and Maps survive the wire with their types.
    transformer: superjson,
    errorFormatter({ shape, error }) {
      // Flatten zod issues so forms can show a message next to each field.
      const zod = error.cause instanceof ZodError ? error.cause.issues : null;
      const fieldErrors =
        zod?.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) ??
        (error.cause instanceof FieldError
          ? [{ path: error.cause.path, message: error.cause.message }]
          : null);
      // An unexpected error (a database failure, a bug) is logged here and answered without its
      // text, which may describe the schema or the data; expected ones are TRPCErrors of their own.
      if (error.code === 'INTERNAL_SERVER_ERROR' && error.cause !== undefined) {
        console.error(error.cause);
        return {
          ...shape,
          message: 'Something went wrong on the server; the error has been logged.',
          data: { ...shape.data, fieldErrors, stack: undefined },
        };
      }
      return { ...shape, data: { ...shape.data, fieldErrors } };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * A procedure that only callers holding one of `roles` may run. The check runs before input
 * parsing, so an anonymous or wrong-role caller learns nothing about the expected input.
 */
export function protectedProcedure(roles: readonly Role[]) {
  return t.procedure.meta({ roles }).use(({ ctx, next }) => {
    if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first.' });
    if (!hasRole(ctx.user.role, roles)) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `This needs one of: ${roles.join(', ')}.`,
      });
    }
    return next({ ctx: { db: ctx.db, user: ctx.user } });
  });
}

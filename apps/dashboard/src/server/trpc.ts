import 'server-only';
import { initTRPC } from '@trpc/server';
import type { Db } from '@ganmod/db';
import { getDb } from './db';

/** What every procedure sees: the database and the caller's request headers. */
export interface Context {
  db: Db;
  headers: Headers;
}

export function createContext(req: Request): Context {
  return { db: getDb(), headers: req.headers };
}

const t = initTRPC.context<Context>().create();

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

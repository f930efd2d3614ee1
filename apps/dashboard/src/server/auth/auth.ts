import 'server-only';
import { betterAuth } from 'better-auth';
import { APIError } from 'better-auth/api';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { nextCookies } from 'better-auth/next-js';
import { providerOf, type Db } from '@ganmod/db/client';
import { resolveDatabaseUrl } from '@ganmod/db/client';
import { getDb } from '../db';
import { authSecret } from '../env';

/**
 * The origin the browser addressed, from the Host header (what a same-origin Origin header must
 * equal); `request.url` can name the server's bind address instead.
 */
function requestOrigin(request: Request): string {
  const url = new URL(request.url);
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? url.host;
  const proto = request.headers.get('x-forwarded-proto') ?? url.protocol.replace(':', '');
  return `${proto}://${host}`;
}

/** Builds the better-auth instance on the project's database (email + password, no self sign-up). */
export function createAuth(db: Db, databaseUrl: string) {
  return betterAuth({
    appName: 'ganmod',
    secret: authSecret(),
    baseURL: process.env.BETTER_AUTH_URL,
    telemetry: { enabled: false },
    // better-auth turns its CSRF/origin check off when it thinks it runs under a test runner
    // (NODE_ENV=test or TEST=true); this app keeps it on everywhere.
    advanced: { disableOriginCheck: false },
    // Same-origin requests are trusted (cross-site ones carry a foreign Origin and are refused),
    // plus any extra origins listed in BETTER_AUTH_TRUSTED_ORIGINS (comma-separated).
    trustedOrigins: (request) => [
      ...(request ? [requestOrigin(request)] : []),
      ...(process.env.BETTER_AUTH_TRUSTED_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ],
    database: prismaAdapter(db as unknown as Parameters<typeof prismaAdapter>[0], {
      provider: providerOf(databaseUrl) === 'postgres' ? 'postgresql' : 'sqlite',
    }),
    // Admins create accounts (admin/users); nobody signs themselves up.
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 8 },
    user: {
      additionalFields: {
        role: { type: 'string', input: false, required: false, defaultValue: 'MODERATOR' },
        disabled: { type: 'boolean', input: false, required: false, defaultValue: false },
      },
    },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    // The built-in default allows 3 sign-ins per 10 s per IP, too tight behind one office NAT.
    rateLimit: {
      enabled: true,
      window: 60,
      max: 600,
      customRules: { '/sign-in/email': { window: 60, max: 30 } },
    },
    databaseHooks: {
      session: {
        create: {
          // A disabled account keeps its password but can no longer open a session.
          before: async (session) => {
            const user = await db.user.findUnique({
              where: { id: session.userId },
              select: { disabled: true },
            });
            if (!user || user.disabled) {
              throw new APIError('FORBIDDEN', {
                message: 'This account is disabled. Ask an admin to re-enable it.',
              });
            }
          },
        },
      },
    },
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;

const globalForAuth = globalThis as unknown as { ganmodAuth?: Auth };

/** The process-wide auth instance, built lazily so `next build` never needs the secret. */
export function getAuth(): Auth {
  globalForAuth.ganmodAuth ??= createAuth(getDb(), resolveDatabaseUrl(process.env));
  return globalForAuth.ganmodAuth;
}

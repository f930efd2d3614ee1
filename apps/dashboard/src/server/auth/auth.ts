import 'server-only';
import { betterAuth } from 'better-auth';
import { APIError } from 'better-auth/api';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { nextCookies } from 'better-auth/next-js';
import { providerOf, type Db } from '@ganmod/db/client';
import { resolveDatabaseUrl } from '@ganmod/db/client';
import { CLIENT_IP_HEADER } from '../../../server/protocol';
import { originConfig } from '../config/origins';
import { getDb } from '../db';
import { authSecret } from '../env';
import { DISABLED_AUTH_PATHS } from './endpoints';

/** Builds the better-auth instance on the project's database (email + password, no self sign-up). */
export function createAuth(db: Db, databaseUrl: string) {
  return betterAuth({
    appName: 'ganmod',
    secret: authSecret(),
    baseURL: originConfig().baseURL,
    telemetry: { enabled: false },
    advanced: {
      // better-auth turns its CSRF/origin check off when it thinks it runs under a test runner
      // (NODE_ENV=test or TEST=true); this app keeps it on everywhere.
      disableOriginCheck: false,
      // The client address as the dashboard's server determined it (never X-Forwarded-For
      // straight from the client), for better-auth's own rate limiter.
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    // Only the configured origins (BETTER_AUTH_URL, GANMOD_TRUSTED_ORIGINS), never one derived
    // from the request's Host: that is what a DNS-rebinding page controls.
    trustedOrigins: [...originConfig().origins],
    // Self-service account changes are not offered (the route also allow-lists what it serves).
    disabledPaths: DISABLED_AUTH_PATHS,
    database: prismaAdapter(db as unknown as Parameters<typeof prismaAdapter>[0], {
      provider: providerOf(databaseUrl) === 'postgres' ? 'postgresql' : 'sqlite',
    }),
    // Admins create accounts (admin/users); nobody signs themselves up. 12 is the project's
    // password-policy minimum.
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 12 },
    user: {
      additionalFields: {
        role: { type: 'string', input: false, required: false, defaultValue: 'MODERATOR' },
        disabled: { type: 'boolean', input: false, required: false, defaultValue: false },
      },
    },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    // The built-in default allows 3 sign-ins per 10 s per IP, too tight behind one office NAT (a
    // shift change signs in dozens of moderators at once). Password guessing is held off by the
    // sign-in throttle (failures per account and per address, with backoff), so this is only a
    // ceiling on request volume per address.
    rateLimit: {
      enabled: true,
      window: 60,
      max: 600,
      customRules: { '/sign-in/email': { window: 60, max: 120 } },
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

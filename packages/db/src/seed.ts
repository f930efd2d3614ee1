import { createHash, randomUUID } from 'node:crypto';

import { hashPassword } from 'better-auth/crypto';

import { generateApiKey } from './api-keys.js';
import type { Db } from './client.js';
import { DbConfigError } from './errors.js';
import type { Role } from './generated/sqlite/enums.js';

/** The admin login when `GANMOD_ADMIN_EMAIL` is not set. */
export const DEFAULT_ADMIN_EMAIL = 'admin@ganmod.local';

/**
 * The admin password when `GANMOD_ADMIN_PASSWORD` is not set: a development default, printed by
 * the seed command. Set your own anywhere the dashboard is reachable by others.
 */
export const DEFAULT_ADMIN_PASSWORD = 'ganmod-admin';

/** Options of {@link seed}. Unset fields come from `env`. */
export interface SeedOptions {
  /** Default: `env.GANMOD_ADMIN_EMAIL`, else {@link DEFAULT_ADMIN_EMAIL}. */
  adminEmail?: string;
  /** Default: `env.GANMOD_ADMIN_PASSWORD`, else {@link DEFAULT_ADMIN_PASSWORD}. Also the demo users' password. */
  adminPassword?: string;
  /** Also create demo users, an API key, content in review and hash bank entries. Default true. */
  demo?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** A user the seed ensured exists. */
export interface SeededUser {
  id: string;
  email: string;
  role: Role;
  /** False when the user already existed (its password was left as it was). */
  created: boolean;
}

/** What {@link seed} found or created. Running it again creates nothing new. */
export interface SeedResult {
  admin: SeededUser;
  /** The password a newly created admin (and demo users) can sign in with. */
  password: string;
  demoUsers: SeededUser[];
  /** The demo API key; `secret` is present only when the key was created by this call. */
  apiKey: { id: string; name: string; prefix: string; secret?: string; created: boolean } | null;
  createdContentItems: number;
  createdHashBankEntries: number;
}

/** Creates a user with a better-auth email/password (`credential`) account, unless the email exists. */
async function ensureUser(
  db: Db,
  user: { email: string; name: string; role: Role },
  password: string,
): Promise<SeededUser> {
  const existing = await db.user.findUnique({ where: { email: user.email } });
  if (existing)
    return { id: existing.id, email: existing.email, role: existing.role, created: false };
  const id = randomUUID();
  // better-auth stores the scrypt hash on the credential account whose accountId is the user id.
  const hash = await hashPassword(password);
  await db.user.create({
    data: {
      id,
      email: user.email,
      name: user.name,
      role: user.role,
      emailVerified: true,
      accounts: {
        create: { id: randomUUID(), accountId: id, providerId: 'credential', password: hash },
      },
    },
  });
  return { id, email: user.email, role: user.role, created: true };
}

const DEMO_API_KEY_NAME = 'Demo platform';

/** Stable 64-hex stand-ins for 256-bit perceptual hashes. */
function demoHash(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

const DEMO_ITEMS = [
  {
    externalId: 'demo-post-1',
    caption: 'Brand new profile pic, what do you think?',
    reasons: [{ detector: 'synthetic-image', message: 'image looks GAN-generated (score 0.91)' }],
    scores: [
      { detector: 'synthetic-image', score: 0.91, label: 'synthetic', reason: 'high GAN score' },
      { detector: 'abusive-text', score: 0.02, label: 'clean', reason: null },
    ],
  },
  {
    externalId: 'demo-post-2',
    caption: 'Cheap followers!!! DM me now, limited offer',
    reasons: [{ detector: 'spam-text', message: 'caption reads as an ad (score 0.78)' }],
    scores: [
      { detector: 'spam-text', score: 0.78, label: 'spam', reason: 'advertising phrases' },
      { detector: 'synthetic-image', score: 0.12, label: 'real', reason: null },
    ],
  },
] as const;

const DEMO_HASHES = [
  { seed: 'known-bad-1', label: 'KNOWN_BAD', note: 'demo entry' },
  { seed: 'known-bad-2', label: 'KNOWN_BAD', note: 'demo entry' },
  { seed: 'infringing-1', label: 'INFRINGING', note: 'demo takedown' },
] as const;

/**
 * Seeds a migrated database, idempotently: an admin user (from `GANMOD_ADMIN_EMAIL` /
 * `GANMOD_ADMIN_PASSWORD`, or the documented defaults) with a better-auth password account,
 * and unless `demo: false`, an engineer and a moderator, a demo API key, two content items in
 * review with detector scores, and hash bank entries. Existing rows are never modified.
 */
export async function seed(db: Db, options: SeedOptions = {}): Promise<SeedResult> {
  const env = options.env ?? process.env;
  const email = (options.adminEmail ?? env.GANMOD_ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL).trim();
  const password = options.adminPassword ?? env.GANMOD_ADMIN_PASSWORD ?? DEFAULT_ADMIN_PASSWORD;
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
    throw new DbConfigError(`GANMOD_ADMIN_EMAIL "${email}" is not an email address`);
  }
  if (password.length < 8) {
    throw new DbConfigError(
      'GANMOD_ADMIN_PASSWORD must be at least 8 characters (better-auth minimum)',
    );
  }

  const admin = await ensureUser(db, { email, name: 'Admin', role: 'ADMIN' }, password);
  const result: SeedResult = {
    admin,
    password,
    demoUsers: [],
    apiKey: null,
    createdContentItems: 0,
    createdHashBankEntries: 0,
  };
  if (options.demo === false) return result;

  const domain = email.split('@')[1] ?? 'ganmod.local';
  result.demoUsers = [
    await ensureUser(
      db,
      { email: `engineer@${domain}`, name: 'Engineer', role: 'ENGINEER' },
      password,
    ),
    await ensureUser(
      db,
      { email: `moderator@${domain}`, name: 'Moderator', role: 'MODERATOR' },
      password,
    ),
  ];

  const existingKey = await db.apiKey.findFirst({ where: { name: DEMO_API_KEY_NAME } });
  if (existingKey) {
    result.apiKey = {
      id: existingKey.id,
      name: existingKey.name,
      prefix: existingKey.prefix,
      created: false,
    };
  } else {
    const key = generateApiKey();
    const row = await db.apiKey.create({
      data: { name: DEMO_API_KEY_NAME, prefix: key.prefix, hash: key.hash, createdById: admin.id },
    });
    result.apiKey = {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      secret: key.secret,
      created: true,
    };
  }

  for (const item of DEMO_ITEMS) {
    if (await db.contentItem.findFirst({ where: { externalId: item.externalId } })) continue;
    await db.$transaction(async (tx) => {
      const created = await tx.contentItem.create({
        data: {
          externalId: item.externalId,
          caption: item.caption,
          status: 'IN_REVIEW',
          policyAction: 'REVIEW',
          policyVersion: 'seed',
          reasons: item.reasons.map((reason) => ({ ...reason })),
          submittedByKeyId: result.apiKey?.id ?? null,
          scores: { create: item.scores.map((score) => ({ ...score })) },
        },
      });
      await tx.decision.create({
        data: { itemId: created.id, actorId: null, action: 'REVIEW', reasonCode: 'policy.review' },
      });
    });
    result.createdContentItems += 1;
  }

  for (const entry of DEMO_HASHES) {
    const hash = demoHash(entry.seed);
    if (await db.hashBankEntry.findFirst({ where: { hash, source: 'seed' } })) continue;
    await db.hashBankEntry.create({
      data: { hash, label: entry.label, source: 'seed', note: entry.note, createdById: admin.id },
    });
    result.createdHashBankEntries += 1;
  }
  return result;
}

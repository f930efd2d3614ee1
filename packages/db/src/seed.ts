import { createHash } from 'node:crypto';

import { loadEnvironment } from '@ganmod/config';
import { policyReasonCode, STATUS_AFTER_POLICY } from '@ganmod/moderation/contract';
import { generateApiKey } from './api-keys.js';
import type { Db } from './client.js';
import { recordDecision, topOfScores } from './content-items.js';
import { DbConfigError } from './errors.js';
import { addHashesToBank } from './hash-bank.js';
import type { Role } from './generated/sqlite/enums.js';
import {
  checkPassword,
  createPasswordUser,
  generatePassword,
  passwordProblem,
  setPassword,
} from './users.js';

/** The admin login when `GANMOD_ADMIN_EMAIL` is not set. */
export const DEFAULT_ADMIN_EMAIL = 'admin@ganmod.local';

/** Options of {@link seed}. Unset fields come from `env`. */
export interface SeedOptions {
  /** Default: `env.GANMOD_ADMIN_EMAIL`, else {@link DEFAULT_ADMIN_EMAIL}. */
  adminEmail?: string;
  /**
   * Default: `env.GANMOD_ADMIN_PASSWORD`. When given, the admin signs in with it: a new admin is
   * created with it, and an existing admin whose password differs is reset to it (their sessions
   * end). When absent, a new admin gets a random password and an existing one keeps theirs.
   */
  adminPassword?: string;
  /**
   * Also create demo users (each with a random password), an API key, content in review and hash
   * bank entries. Default: `env.GANMOD_DEMO` (a switch, parsed by `@ganmod/config`), else false.
   */
  demo?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** A user the seed ensured exists. */
export interface SeededUser {
  id: string;
  email: string;
  role: Role;
  /** False when the user already existed. */
  created: boolean;
  /**
   * The password the user signs in with, present only when this call set it (a new user, or an
   * admin reset to `GANMOD_ADMIN_PASSWORD`). It is shown once and stored nowhere in clear.
   */
  password?: string;
}

/** What {@link seed} found or created. Running it again creates nothing new. */
export interface SeedResult {
  admin: SeededUser & {
    /** True when an existing admin's password was reset to `GANMOD_ADMIN_PASSWORD`. */
    passwordReset: boolean;
  };
  demoUsers: SeededUser[];
  /** The demo API key; `secret` is present only when the key was created by this call. */
  apiKey: { id: string; name: string; prefix: string; secret?: string; created: boolean } | null;
  createdContentItems: number;
  createdHashBankEntries: number;
}

/** Creates a password user unless the email exists; a new user's password is returned once. */
async function ensureUser(
  db: Db,
  user: { email: string; name: string; role: Role },
  password: string = generatePassword(),
): Promise<SeededUser> {
  const existing = await db.user.findUnique({ where: { email: user.email } });
  if (existing)
    return { id: existing.id, email: existing.email, role: existing.role, created: false };
  const created = await createPasswordUser(db, { ...user, password });
  return { id: created.id, email: created.email, role: created.role, created: true, password };
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
  { seed: 'known-bad-1', label: 'CUSTOM', note: 'demo entry' },
  { seed: 'known-bad-2', label: 'CUSTOM', note: 'demo entry' },
  { seed: 'infringing-1', label: 'COPYRIGHT', note: 'demo takedown' },
] as const;

/**
 * Seeds a migrated database, idempotently: an admin user (from `GANMOD_ADMIN_EMAIL` /
 * `GANMOD_ADMIN_PASSWORD`; a random password when none is given) with a better-auth password
 * account, and with `demo` an engineer and a moderator (random passwords), a demo API key, two
 * content items in review with detector scores, and hash bank entries. Existing rows are never
 * modified, except the admin's password when `GANMOD_ADMIN_PASSWORD` says otherwise.
 */
export async function seed(db: Db, options: SeedOptions = {}): Promise<SeedResult> {
  const env = options.env ?? process.env;
  const email = (options.adminEmail ?? env.GANMOD_ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL)
    .trim()
    .toLowerCase();
  const requested = options.adminPassword ?? (env.GANMOD_ADMIN_PASSWORD || undefined);
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
    throw new DbConfigError(`GANMOD_ADMIN_EMAIL "${email}" is not an email address`);
  }
  if (requested !== undefined) {
    const problem = passwordProblem(requested, email);
    if (problem) throw new DbConfigError(`GANMOD_ADMIN_PASSWORD: ${problem}`);
  }

  const ensured = await ensureUser(db, { email, name: 'Admin', role: 'ADMIN' }, requested);
  let passwordReset = false;
  if (!ensured.created && requested !== undefined) {
    if (!(await checkPassword(db, ensured.id, requested))) {
      await setPassword(db, ensured.id, requested);
      passwordReset = true;
    }
  }
  const admin: SeedResult['admin'] = {
    ...ensured,
    passwordReset,
    ...(passwordReset ? { password: requested } : {}),
  };
  const result: SeedResult = {
    admin,
    demoUsers: [],
    apiKey: null,
    createdContentItems: 0,
    createdHashBankEntries: 0,
  };
  if (!(options.demo ?? loadEnvironment(env).demo)) return result;

  const domain = email.split('@')[1] ?? 'ganmod.local';
  result.demoUsers = [
    await ensureUser(db, { email: `engineer@${domain}`, name: 'Engineer', role: 'ENGINEER' }),
    await ensureUser(db, { email: `moderator@${domain}`, name: 'Moderator', role: 'MODERATOR' }),
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
          status: STATUS_AFTER_POLICY.REVIEW,
          policyAction: 'REVIEW',
          policyVersion: 'seed',
          reasons: item.reasons.map((reason) => ({ ...reason })),
          ...topOfScores(item.scores, item.reasons),
          submittedByKeyId: result.apiKey?.id ?? null,
          scores: { create: item.scores.map((score) => ({ ...score })) },
        },
      });
      await recordDecision(tx, {
        itemId: created.id,
        actorId: null,
        action: 'REVIEW',
        reasonCode: policyReasonCode('REVIEW'),
      });
    });
    result.createdContentItems += 1;
  }

  for (const entry of DEMO_HASHES) {
    // Through the bank's own audited write (each hash a picture of its own on the Bank page), so a
    // running scorer's bank stamp moves and it reloads the bank.
    const { added } = await addHashesToBank(
      db,
      {
        hashes: [{ hash: demoHash(entry.seed) }],
        label: entry.label,
        source: 'seed',
        note: entry.note,
      },
      { userId: admin.id },
    );
    result.createdHashBankEntries += added;
  }
  return result;
}

#!/usr/bin/env node
/**
 * `ganmod-db`: migrate, create migrations, show status, seed. The database comes from
 * `--url`, else `DATABASE_URL`, else `file:<GANMOD_DATA_DIR or ./data>/ganmod.db`.
 */
import { parseArgs } from 'node:util';

import { loadEnvironment } from '@ganmod/config';

import { connectDb, disablePrismaTelemetry } from './client.js';
import { DbConfigError, describeDbError } from './errors.js';
import {
  createMigration,
  markMigrationRolledBack,
  migrate,
  migrationStatus,
} from './migrate/index.js';
import { seed } from './seed.js';
import { generatePassword, passwordProblem, setPassword } from './users.js';
import type { DbProvider } from './url.js';
import { redactUrl, resolveDatabaseUrl } from './url.js';

const USAGE = `Usage: ganmod-db <command> [options]

Commands:
  migrate                        apply pending migrations (creates the database if missing)
  status                         list applied / pending migrations
  migration:create <name>        create a migration from prisma/models.prisma
      --provider sqlite|postgres|both   (default both)
      --empty                           write an empty migration for hand-written SQL
      --postgres-url <url>              server for the throwaway database (default 127.0.0.1:5432)
  migration:rolled-back <name>   mark a failed migration rolled back (undo its effects first)
  seed                           migrate, then create the admin user (idempotent); prints its
                                 password once, when it is created
      --demo                            also demo users, an API key and content (or GANMOD_DEMO=1)
      --json                            print the result as one JSON object
  reset-password <email>         set a new random password (or GANMOD_NEW_PASSWORD) and end the
                                 user's sessions; prints the new password once

Options:
  --url <url>    database URL (default: DATABASE_URL, else file:./data/ganmod.db)
  -h, --help`;

async function runMigrate(url: string): Promise<void> {
  const result = await migrate(url);
  if (result.createdDatabase) console.log(`Created database for ${redactUrl(url)}`);
  if (result.applied.length === 0) console.log(`${result.provider}: no pending migrations`);
  for (const name of result.applied) console.log(`${result.provider}: applied ${name}`);
}

async function runStatus(url: string): Promise<void> {
  const status = await migrationStatus(url);
  console.log(`${status.provider} ${redactUrl(url)}`);
  for (const name of status.migrations) {
    console.log(`  ${status.pending.includes(name) ? 'pending' : 'applied'}  ${name}`);
  }
  for (const name of status.unknown) console.log(`  not in migrations folder  ${name}`);
  for (const name of status.failed) console.log(`  FAILED  ${name}`);
  for (const name of status.edited) console.log(`  edited since applied  ${name}`);
  console.log(status.upToDate ? 'Database is up to date.' : 'Database is NOT up to date.');
  if (!status.upToDate) process.exitCode = 2;
}

function providersFrom(value: string | undefined): DbProvider[] {
  if (value === undefined || value === 'both') return ['sqlite', 'postgres'];
  if (value === 'sqlite' || value === 'postgres') return [value];
  throw new DbConfigError(`--provider "${value}" is not one of sqlite, postgres, both`);
}

async function runCreate(
  name: string | undefined,
  values: { provider?: string; empty?: boolean; 'postgres-url'?: string },
): Promise<void> {
  if (!name)
    throw new DbConfigError(
      'migration:create needs a name, e.g. migration:create add_run_priority',
    );
  for (const provider of providersFrom(values.provider)) {
    const created = await createMigration({
      provider,
      name,
      empty: values.empty ?? false,
      postgresUrl: values['postgres-url'],
    });
    console.log(
      created.path
        ? `${provider}: created ${created.path}`
        : `${provider}: schema unchanged, no migration created`,
    );
  }
}

async function runSeed(url: string, options: { demo?: boolean; json: boolean }): Promise<void> {
  await runMigrate(url);
  const db = await connectDb(url);
  try {
    const result = await seed(db, options.demo === undefined ? {} : { demo: options.demo });
    if (options.json) {
      console.log(JSON.stringify(result));
      return;
    }
    const { admin } = result;
    if (admin.created) console.log(`Admin created: ${admin.email} / ${admin.password}`);
    else if (admin.passwordReset)
      console.log(`Admin password reset from GANMOD_ADMIN_PASSWORD: ${admin.email}`);
    else console.log(`Admin exists: ${admin.email} (password unchanged)`);
    for (const user of result.demoUsers) {
      console.log(
        user.created
          ? `${user.role.toLowerCase()} created: ${user.email} / ${user.password}`
          : `${user.role.toLowerCase()} exists: ${user.email}`,
      );
    }
    if (result.apiKey?.secret) {
      console.log(`Demo API key (shown once, store it now): ${result.apiKey.secret}`);
    } else if (result.apiKey) {
      console.log(`Demo API key exists: ${result.apiKey.prefix}...`);
    }
    if (result.demoUsers.length > 0) {
      console.log(
        `Content items created: ${result.createdContentItems}, hash bank entries created: ${result.createdHashBankEntries}`,
      );
    }
  } finally {
    await db.$disconnect();
  }
}

async function runResetPassword(url: string, email: string | undefined): Promise<void> {
  if (!email)
    throw new DbConfigError(
      'reset-password needs the account email, e.g. reset-password admin@ganmod.local',
    );
  const db = await connectDb(url);
  try {
    const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
    if (!user) throw new DbConfigError(`No account has the email ${email}`);
    const password = loadEnvironment().vars.GANMOD_NEW_PASSWORD ?? generatePassword();
    const problem = passwordProblem(password, user.email);
    if (problem) throw new DbConfigError(`GANMOD_NEW_PASSWORD: ${problem}`);
    const { revokedSessions } = await setPassword(db, user.id, password);
    console.log(`Sign in: ${user.email} / ${password}`);
    console.log(`(${revokedSessions} open session${revokedSessions === 1 ? '' : 's'} ended)`);
  } finally {
    await db.$disconnect();
  }
}

async function main(argv: string[]): Promise<void> {
  disablePrismaTelemetry();
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      provider: { type: 'string' },
      empty: { type: 'boolean' },
      'postgres-url': { type: 'string' },
      demo: { type: 'boolean' },
      'no-demo': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    if (!command && !values.help) process.exitCode = 1;
    return;
  }
  const url = values.url ?? resolveDatabaseUrl();
  switch (command) {
    case 'migrate':
      return runMigrate(url);
    case 'status':
      return runStatus(url);
    case 'migration:create':
      return runCreate(rest[0], values);
    case 'migration:rolled-back': {
      const name = rest[0];
      if (!name) throw new DbConfigError('migration:rolled-back needs the failed migration name');
      await markMigrationRolledBack(url, name);
      console.log(`${name} marked as rolled back; fix it, then run migrate`);
      return;
    }
    case 'seed':
      return runSeed(url, {
        ...(values.demo ? { demo: true } : values['no-demo'] ? { demo: false } : {}),
        json: values.json ?? false,
      });
    case 'reset-password':
      return runResetPassword(url, rest[0]);
    default:
      throw new DbConfigError(`Unknown command "${command}"; run ganmod-db --help`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`ganmod-db: ${describeDbError(err)}`);
  process.exitCode = 1;
});

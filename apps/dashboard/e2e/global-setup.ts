// Starts the production build against a fresh, migrated, seeded SQLite database (and the trainer
// worker when it is built), and hands their coordinates to the specs through the environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from 'better-auth/crypto';
import { createDb, generateApiKey, migrate, seed } from '@ganmod/db';
import { startDashboard } from '../test/server';

export const PASSWORD = 'e2e-password-123';
const trainerCli = join(import.meta.dirname, '../../trainer/dist/cli.js');

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'ganmod-e2e-'));
  const url = `file:${join(dir, 'ganmod.db')}`;
  await migrate(url);
  const db = createDb(url);
  const { admin } = await seed(db, { adminPassword: PASSWORD, demo: false });
  const passwordHash = await hashPassword(PASSWORD);
  const people = [
    { email: 'engineer@ganmod.local', name: 'Engineer', role: 'ENGINEER' },
    { email: 'moderator@ganmod.local', name: 'Moderator', role: 'MODERATOR' },
    { email: 'second@ganmod.local', name: 'Second Moderator', role: 'MODERATOR' },
  ] as const;
  for (const person of people) {
    const id = randomUUID();
    await db.user.create({
      data: {
        id,
        ...person,
        emailVerified: true,
        accounts: {
          create: {
            id: randomUUID(),
            accountId: id,
            providerId: 'credential',
            password: passwordHash,
          },
        },
      },
    });
  }
  const key = generateApiKey();
  await db.apiKey.create({
    data: {
      name: 'E2E platform key',
      prefix: key.prefix,
      hash: key.hash,
      rateLimitPerMinute: 600,
      createdById: admin.id,
    },
  });
  await db.$disconnect();

  // A 30 s claim lease (default 60): the queue specs see renewals and releases within a test.
  // http webhook receivers on localhost (the webhooks spec) are a development setting.
  const env = {
    DATABASE_URL: url,
    GANMOD_DATA_DIR: dir,
    GANMOD_CLAIM_SECONDS: '30',
    GANMOD_WEBHOOK_HTTP_DEV: '1',
  };
  const dashboard = await startDashboard(env);
  let worker: ChildProcess | null = null;
  if (existsSync(trainerCli)) {
    worker = spawn(process.execPath, [trainerCli, 'worker', '--poll', '500'], {
      env: { ...process.env, ...env, CHECKPOINT_DISABLE: '1' },
      stdio: 'ignore',
    });
  }

  process.env.E2E_BASE_URL = dashboard.url;
  process.env.E2E_API_KEY = key.secret;
  process.env.E2E_PASSWORD = PASSWORD;
  process.env.E2E_DATA_DIR = dir;
  process.env.E2E_WORKER = worker ? '1' : '';

  return async () => {
    worker?.kill('SIGTERM');
    await dashboard.stop();
    // The server's log, for diagnosing a failed run.
    mkdirSync(join(import.meta.dirname, '.results'), { recursive: true });
    writeFileSync(join(import.meta.dirname, '.results', 'dashboard.log'), dashboard.output());
    rmSync(dir, { recursive: true, force: true });
  };
}

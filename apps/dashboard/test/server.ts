// Starts the built dashboard (`next start`) on a free loopback port against a given database.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';

const appDir = join(import.meta.dirname, '..');

export interface RunningDashboard {
  url: string;
  stop(): Promise<void>;
  output(): string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts the production build and resolves once it answers HTTP. */
export async function startDashboard(env: Record<string, string>): Promise<RunningDashboard> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    join(appDir, 'node_modules/.bin/next'),
    ['start', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: appDir,
      env: {
        // Without vitest's markers (TEST, VITEST...), which libraries read as "relax for tests".
        ...Object.fromEntries(
          Object.entries(process.env).filter(([k]) => k !== 'TEST' && !k.startsWith('VITEST')),
        ),
        // As in production (vitest sets NODE_ENV=test, which `next start` would inherit).
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        BETTER_AUTH_SECRET: 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz',
        ...env,
      },
      stdio: 'pipe',
    },
  );
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited early:\n${log}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`dashboard did not answer within 30 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    output: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

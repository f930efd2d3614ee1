// Starts the built dashboard (its own server, dist/server.js, as `pnpm start` does) on a free
// loopback port against a given database.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';

const appDir = join(import.meta.dirname, '..');

export interface RunningDashboard {
  url: string;
  /** The server process, e.g. to read its memory from /proc. */
  pid: number;
  stop(): Promise<void>;
  /** Kills the process with SIGKILL (no shutdown code runs) and waits for it to be gone. */
  kill(): Promise<void>;
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
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [join(appDir, 'dist/server.js'), '--hostname', '127.0.0.1', '--port', String(port)],
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
        // The one origin state-changing requests are accepted from (the URL the tests use).
        BETTER_AUTH_URL: url,
        ...env,
      },
      stdio: 'pipe',
    },
  );
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the dashboard server exited early:\n${log}`);
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
    pid: child.pid!,
    output: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

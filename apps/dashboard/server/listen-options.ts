import { z } from 'zod';

/** Where the server listens. */
export interface ListenOptions {
  hostname: string;
  port: number;
}

const schema = z.object({
  hostname: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
});

/**
 * Reads `--hostname/-H` and `--port/-p` like `next start` (falling back to HOSTNAME/PORT, then
 * 0.0.0.0:3000). Throws an error naming the bad option.
 */
export function parseListenOptions(
  argv: string[],
  env: Readonly<Record<string, string | undefined>>,
): ListenOptions {
  const raw: Record<string, string | undefined> = {
    hostname: env.HOSTNAME?.trim() || '0.0.0.0',
    port: env.PORT?.trim() || '3000',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const key = { '--hostname': 'hostname', '-H': 'hostname', '--port': 'port', '-p': 'port' }[
      flag
    ];
    if (!key)
      throw new Error(`Unknown option ${arg}: expected --hostname <host> and --port <port>.`);
    raw[key] = inline ?? argv[++i];
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid --${String(issue.path[0])}: ${issue.message}`);
  }
  return parsed.data;
}

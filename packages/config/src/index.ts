/**
 * `@ganmod/config`: every environment variable ganmod reads, in one zod schema, parsed once into
 * typed values with the defaults applied and the paths resolved. No TensorFlow.js, no Prisma: the
 * dashboard, the trainer, the CLIs and the packages all import it.
 *
 * @example
 * ```ts
 * import { loadEnvironment } from '@ganmod/config';
 * const env = loadEnvironment(); // throws EnvironmentError naming the variable when one is wrong
 * env.artifactsDir; // GANMOD_ARTIFACTS_DIR, else <GANMOD_DATA_DIR>/artifacts, absolute
 * ```
 */
// Paths here are runtime data, not code: the `turbopackIgnore` comments keep the dashboard's
// bundler from tracing the whole project for them.
import { join, resolve } from 'node:path';

import { z } from 'zod';

/** Thrown when a variable is malformed or unknown; the message is one line naming it. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
  constructor(
    /** The variable at fault. */
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** An optional text variable; blank counts as unset. */
const text = () => z.preprocess(blankToUndefined, z.string().trim().optional());

/** An optional positive whole number. */
const positiveInt = () =>
  z.preprocess(
    blankToUndefined,
    z.coerce.number().int('must be a whole number').positive('must be positive').optional(),
  );

/** A switch: 1/true/yes/on or 0/false/no/off (any case); unset is off. */
const flag = () =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => /^(1|true|yes|on|0|false|no|off)$/.test(v), 'must be 1 or 0 (true/false)')
      .transform((v) => /^(1|true|yes|on)$/.test(v))
      .optional(),
  );

/** Why `value` is not an http(s) origin (scheme, host, optional port, nothing after), if it isn't. */
function originProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL`;
  }
  if (!/^https?:$/.test(url.protocol)) return `"${value}" must start with http:// or https://`;
  if (url.pathname !== '/' && url.pathname !== '') {
    return `"${value}" must be an origin such as https://moderation.example.com (no path)`;
  }
  return undefined;
}

/** An http(s) origin, normalised to `scheme://host[:port]`. */
const origin = () =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .superRefine((v, ctx) => {
        const problem = originProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .transform((v) => new URL(v).origin)
      .optional(),
  );

/** Comma-separated http(s) origins, each normalised; blank entries are skipped. */
const originList = () =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((list, ctx) => {
        const origins = list
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean);
        for (const entry of origins) {
          const problem = originProblem(entry);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }
        return origins.map((entry) => new URL(entry).origin);
      })
      .optional(),
  );

/** Shortest `BETTER_AUTH_SECRET` accepted (256 bits of base64 is 44 characters). */
export const MIN_AUTH_SECRET_LENGTH = 32;

/**
 * Every variable, documented where it is declared. The README's configuration table lists the
 * same names (a test checks that they stay in step).
 */
export const environmentSchema = z.object({
  DATABASE_URL: text().describe(
    '`file:` (SQLite) or `postgresql://` URL; default `file:<GANMOD_DATA_DIR>/ganmod.db`',
  ),
  GANMOD_DATA_DIR: text().describe(
    'SQLite file, artifacts, uploads, caches, secrets; default `./data`',
  ),
  GANMOD_ARTIFACTS_DIR: text().describe('run artifacts; default `<data>/artifacts`'),
  GANMOD_DATASETS_DIR: text().describe('the only place folder datasets are read from'),
  GANMOD_ADMIN_EMAIL: z
    .preprocess(blankToUndefined, z.email('must be an email address').optional())
    .describe('the first admin account; default `admin@ganmod.local`'),
  GANMOD_ADMIN_PASSWORD: text().describe("when set, the admin's password"),
  GANMOD_NEW_PASSWORD: text().describe(
    'the password `reset-password` sets instead of a random one',
  ),
  GANMOD_DEMO: flag().describe('seed demo accounts, an API key and posts in review'),
  GANMOD_BACKEND: z
    .preprocess(blankToUndefined, z.enum(['tensorflow', 'wasm', 'cpu']).optional())
    .describe('force the TF.js backend'),
  GANMOD_NATIVE_KERNELS: flag().describe("`0` keeps gan-core's native kernels off"),
  GANMOD_REQUIRE_NATIVE: flag().describe('build and test: a failed native build is an error'),
  GANMOD_NATIVE_BUILD: flag().describe('build: `0` skips the native kernels'),
  GANMOD_CLAIM_SECONDS: positiveInt().describe(
    "a moderator's lease on an item, renewed by the open tab; default 60",
  ),
  GANMOD_CLAIM_MINUTES: positiveInt().describe(
    'older form of GANMOD_CLAIM_SECONDS, in minutes (GANMOD_CLAIM_SECONDS wins)',
  ),
  GANMOD_MAX_UPLOAD_BYTES: positiveInt().describe(
    "largest accepted image; default the moderation contract's (10 MB)",
  ),
  GANMOD_SCREENSHOTS: flag().describe('tests: rewrite the documentation screenshots'),
  GANMOD_SCREENSHOT_STEPS: positiveInt().describe('tests: steps of the screenshot run'),
  GANMOD_GUARDED_SERVER: flag().describe("set by the dashboard's own server for the app inside"),
  GANMOD_SERVER_TIMING: flag().describe(
    'benchmarks: `1` adds `Server-Timing` stages to platform API answers',
  ),
  GANMOD_WEBHOOK_HTTP_DEV: flag().describe(
    'development: webhook callback URLs may be `http://localhost` (else https only)',
  ),
  BETTER_AUTH_SECRET: z
    .preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .min(
          MIN_AUTH_SECRET_LENGTH,
          `must be at least ${MIN_AUTH_SECRET_LENGTH} characters (openssl rand -base64 32 makes one)`,
        )
        .optional(),
    )
    .describe('signs session cookies; default generated in `<data>/secrets/auth-secret`'),
  BETTER_AUTH_URL: origin().describe('the origin people open the dashboard at'),
  GANMOD_TRUSTED_ORIGINS: originList().describe('further trusted origins, comma-separated'),
  BETTER_AUTH_TRUSTED_ORIGINS: originList().describe('older name of GANMOD_TRUSTED_ORIGINS'),
  TRUSTED_PROXIES: text().describe('reverse proxies whose forwarded headers are believed'),
  PORT: z
    .preprocess(
      blankToUndefined,
      z.coerce.number().int().min(1, 'must be 1-65535').max(65535, 'must be 1-65535').optional(),
    )
    .describe('dashboard port; default 3000'),
  HOST: text().describe('dashboard address; default 127.0.0.1'),
  LOG_LEVEL: z
    .preprocess(
      blankToUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    )
    .describe("the trainer's log level; default info"),
});

/** The variables as declared. */
export type EnvironmentVariables = z.infer<typeof environmentSchema>;

/** The names of every variable ganmod reads. */
export const ENVIRONMENT_VARIABLES = Object.keys(environmentSchema.shape) as readonly string[];

/** The parsed environment: every variable typed, defaults applied, paths absolute. */
export interface GanmodEnvironment {
  /** The variables as given (validated; unset ones undefined). */
  readonly vars: EnvironmentVariables;
  readonly dataDir: string;
  readonly artifactsDir: string;
  readonly datasetsDir: string;
  /** Submitted images (`<data>/uploads`); never a dataset. */
  readonly uploadsDir: string;
  /** Secrets generated on first start (`<data>/secrets`, mode 0700). */
  readonly secretsDir: string;
  readonly databaseUrl: string;
  /** A moderator's lease on an item, in seconds (the open tab renews it). */
  readonly claimSeconds: number;
  /** `GANMOD_MAX_UPLOAD_BYTES` when set; the default is the moderation contract's. */
  readonly maxUploadBytes: number | undefined;
  readonly port: number;
  readonly host: string;
  /** `GANMOD_TRUSTED_ORIGINS` (or its older name), normalised origins; empty when unset. */
  readonly trustedOrigins: readonly string[];
  readonly logLevel: NonNullable<EnvironmentVariables['LOG_LEVEL']>;
  readonly demo: boolean;
  /** `GANMOD_WEBHOOK_HTTP_DEV`: http callback URLs to this machine are accepted. */
  readonly webhookAllowHttpLocalhost: boolean;
}

/** Closest known name to a mistyped one (edit distance at most 3), for the error message. */
function closest(name: string): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length]!;
  };
  let best: { name: string; d: number } | undefined;
  for (const known of ENVIRONMENT_VARIABLES) {
    const d = distance(name, known);
    if (d <= 3 && (!best || d < best.d)) best = { name: known, d };
  }
  return best?.name;
}

/**
 * Parses `env` once: every variable validated, defaults applied, paths resolved against `cwd`.
 * A `GANMOD_` variable that ganmod does not know (a typo such as `GANMOD_DATADIR`) is an error
 * too, since it would otherwise be silently ignored.
 *
 * @throws {EnvironmentError} naming the first variable at fault.
 */
export function parseEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): GanmodEnvironment {
  for (const name of Object.keys(env)) {
    if (name.startsWith('GANMOD_') && !ENVIRONMENT_VARIABLES.includes(name)) {
      const hint = closest(name);
      throw new EnvironmentError(
        name,
        `not a ganmod variable${hint ? ` (did you mean ${hint}?)` : ''}; see the README's configuration table`,
      );
    }
  }
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const given = env[variable];
    throw new EnvironmentError(
      variable,
      `${issue.message}${given !== undefined && !/SECRET|PASSWORD/.test(variable) ? ` (got '${given}')` : ''}`,
    );
  }
  const vars = parsed.data;
  const dataDir = resolve(/*turbopackIgnore: true*/ cwd, vars.GANMOD_DATA_DIR ?? './data');
  return {
    vars,
    dataDir,
    artifactsDir: vars.GANMOD_ARTIFACTS_DIR
      ? resolve(/*turbopackIgnore: true*/ cwd, vars.GANMOD_ARTIFACTS_DIR)
      : join(/*turbopackIgnore: true*/ dataDir, 'artifacts'),
    datasetsDir: vars.GANMOD_DATASETS_DIR
      ? resolve(/*turbopackIgnore: true*/ cwd, vars.GANMOD_DATASETS_DIR)
      : join(/*turbopackIgnore: true*/ dataDir, 'datasets'),
    uploadsDir: join(/*turbopackIgnore: true*/ dataDir, 'uploads'),
    secretsDir: join(/*turbopackIgnore: true*/ dataDir, 'secrets'),
    databaseUrl:
      vars.DATABASE_URL ?? `file:${join(/*turbopackIgnore: true*/ dataDir, 'ganmod.db')}`,
    claimSeconds:
      vars.GANMOD_CLAIM_SECONDS ??
      (vars.GANMOD_CLAIM_MINUTES === undefined ? 60 : vars.GANMOD_CLAIM_MINUTES * 60),
    maxUploadBytes: vars.GANMOD_MAX_UPLOAD_BYTES,
    port: vars.PORT ?? 3000,
    host: vars.HOST ?? '127.0.0.1',
    trustedOrigins: vars.GANMOD_TRUSTED_ORIGINS ?? vars.BETTER_AUTH_TRUSTED_ORIGINS ?? [],
    logLevel: vars.LOG_LEVEL ?? 'info',
    demo: vars.GANMOD_DEMO ?? false,
    webhookAllowHttpLocalhost: vars.GANMOD_WEBHOOK_HTTP_DEV ?? false,
  };
}

const cache = new WeakMap<NodeJS.ProcessEnv, { key: string; value: GanmodEnvironment }>();

/**
 * {@link parseEnvironment} of `process.env` (or `env`), parsed once and reused while the
 * variables stay the same: what servers call on every request.
 */
export function loadEnvironment(env: NodeJS.ProcessEnv = process.env): GanmodEnvironment {
  const key = ENVIRONMENT_VARIABLES.map((name) => env[name] ?? '\u0000').join('\u0001');
  const hit = cache.get(env);
  if (hit?.key === key) return hit.value;
  const value = parseEnvironment(env);
  cache.set(env, { key, value });
  return value;
}

/**
 * For a program's entry point: parses the environment or exits with one line naming the
 * variable (exit code 2, as for other usage errors).
 */
export function environmentOrExit(program: string, env: NodeJS.ProcessEnv = process.env) {
  try {
    return loadEnvironment(env);
  } catch (err) {
    if (!(err instanceof EnvironmentError)) throw err;
    process.stderr.write(`${program}: ${err.message}\n`);
    process.exit(2);
  }
}

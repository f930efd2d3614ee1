import 'server-only';
import { join, resolve } from 'node:path';

const DEV_SECRET = 'ganmod-dev-secret-do-not-use-in-production-0123456789';

/**
 * The secret better-auth signs session cookies with. Production refuses to start without
 * `BETTER_AUTH_SECRET`; elsewhere a fixed development secret keeps `next dev` zero-config.
 */
export function authSecret(env: NodeJS.ProcessEnv = process.env): string {
  const secret = env.BETTER_AUTH_SECRET?.trim();
  if (secret) {
    if (secret.length < 32 && env.NODE_ENV === 'production') {
      throw new Error('BETTER_AUTH_SECRET must be at least 32 characters long.');
    }
    return secret;
  }
  if (env.NODE_ENV === 'production') {
    throw new Error(
      'BETTER_AUTH_SECRET is not set. Generate one with `openssl rand -base64 32` and set it in the environment of the dashboard.',
    );
  }
  return DEV_SECRET;
}

/** Root of everything ganmod keeps on disk (uploads, artifacts, the SQLite file). */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  // Runtime data, not app source: keep the bundler's file tracing out of it.
  return resolve(/*turbopackIgnore: true*/ env.GANMOD_DATA_DIR?.trim() || './data');
}

/** Where submitted images are stored, named by their sha256. */
export function uploadsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(/*turbopackIgnore: true*/ dataDir(env), 'uploads');
}

/** Root of the trainer's artifact store; Artifact.path is relative to it. */
export function artifactsDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.GANMOD_ARTIFACTS_DIR?.trim();
  return explicit
    ? resolve(/*turbopackIgnore: true*/ explicit)
    : join(/*turbopackIgnore: true*/ dataDir(env), 'artifacts');
}

import 'server-only';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment, MIN_AUTH_SECRET_LENGTH } from '@ganmod/config';

/**
 * Reads the secret kept at `file`, creating it on first use: 48 random bytes (base64url), written
 * with mode 0600 in a 0700 folder. `wx` makes the first writer win when two processes start at
 * once; the loser reads the winner's secret.
 */
export function persistentSecret(file: string): string {
  try {
    mkdirSync(join(/*turbopackIgnore: true*/ file, '..'), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${randomBytes(48).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // A secret others can read is no secret: tighten what an older copy or a umask left open.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < MIN_AUTH_SECRET_LENGTH) {
    throw new Error(`${file} holds no usable secret: delete it and start again to generate one.`);
  }
  return secret;
}

/**
 * The secret better-auth signs session cookies with: `BETTER_AUTH_SECRET` when set (at least 32
 * characters), else the one generated on the first start and kept in
 * `<data>/secrets/auth-secret` (mode 0600), so a fresh install works with nothing set and its
 * sessions survive restarts. Delete that file (or change the variable) to sign everyone out.
 */
export function authSecret(env: NodeJS.ProcessEnv = process.env): string {
  // Validated (at least MIN_AUTH_SECRET_LENGTH characters) with every other variable.
  return loadEnvironment(env).vars.BETTER_AUTH_SECRET ?? persistentSecret(authSecretFile(env));
}

/** Where the generated auth secret is kept. */
export function authSecretFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(/*turbopackIgnore: true*/ loadEnvironment(env).secretsDir, 'auth-secret');
}

/** Root of everything ganmod keeps on disk (uploads, artifacts, the SQLite file). */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return loadEnvironment(env).dataDir;
}

/** Where submitted images are stored, named by their sha256. */
export function uploadsDir(env: NodeJS.ProcessEnv = process.env): string {
  return loadEnvironment(env).uploadsDir;
}

/** Root of the trainer's artifact store (`GANMOD_ARTIFACTS_DIR`); Artifact.path is relative to it. */
export function artifactsDir(env: NodeJS.ProcessEnv = process.env): string {
  return loadEnvironment(env).artifactsDir;
}

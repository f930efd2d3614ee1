// Machine prerequisites the test suite needs beyond npm packages: a few Debian packages and a running
// PostgreSQL. Installed or started here so a fresh machine needs nothing by hand.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';

const isRoot = process.getuid?.() === 0;
const hasApt = existsSync('/usr/bin/apt-get');

function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/**
 * Data-only Debian packages holding the moderation package's real photographs (wallpapers, puzzle
 * photos, textures, a portrait) and the font its edits draw text with: its photo set and benign set,
 * `packages/moderation/src/eval/photo-set.ts`.
 */
export const PHOTO_SET_PACKAGES = [
  'lomiri-wallpapers-16.04',
  'lomiri-wallpapers-20.04',
  'mate-backgrounds',
  'ukui-wallpapers',
  'palapeli-data',
  'python-matplotlib-data',
  // Draws the captions and overlays of the matching evaluation's edits.
  'fonts-dejavu-core',
];

/** Installs the Debian packages that are missing; returns the ones still missing (no apt or not root). */
export function ensureDebianPackages(packages) {
  const missing = packages.filter((p) => !installed(p));
  if (missing.length === 0) return [];
  if (!isRoot || !hasApt) return missing;
  process.stdout.write(`installing Debian packages: ${missing.join(' ')}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
  if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed`);
  return missing.filter((p) => !installed(p));
}

function portOpen(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** Makes sure a PostgreSQL answers on 127.0.0.1:5432, installing and starting Debian's when needed. */
export async function ensurePostgres() {
  if (await portOpen(5432)) return;
  if (!existsSync('/etc/postgresql')) ensureDebianPackages(['postgresql']);
  if (existsSync('/etc/postgresql')) {
    for (const version of readdirSync('/etc/postgresql')) {
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], {
        stdio: 'inherit',
      });
    }
  }
  for (let i = 0; i < 30 && !(await portOpen(5432)); i++)
    await new Promise((r) => setTimeout(r, 500));
  if (!(await portOpen(5432))) {
    throw new Error('PostgreSQL is not answering on 127.0.0.1:5432 and could not be started');
  }
}

// The test lanes of `npm test`: every workspace's `test` script (vitest) and `test:e2e` script
// (Playwright), run a few at a time, longest first.
//
// Why not `turbo run test test:e2e`: turbo starts ready tasks in an order of its own, and it started
// the browser lane (the longest, ~14 min) 13 minutes in, so the run ended with that lane alone on
// the machine for 6 minutes. Longest-first keeps both slots busy to the end (LPT scheduling).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Seconds each lane took in the last fresh-clone `npm test` on 2 cores (2026-12-06, beside the
 * typecheck): the order lanes start in, not a limit. A lane missing here (a new workspace) starts
 * after these.
 */
const EXPECTED_SECONDS = {
  '@ganmod/gan-core:test': 770,
  '@ganmod/trainer:test': 510,
  '@ganmod/dashboard:test:e2e': 440,
  '@ganmod/dashboard:test': 350,
  '@ganmod/moderation:test': 130,
  '@ganmod/db:test': 110,
  '@ganmod/datasets:test': 35,
  '@ganmod/config:test': 2,
};

/**
 * The lanes of the workspaces under `root`: `{ name, dir, script }` for each `test` and `test:e2e`
 * script, longest expected first.
 */
export function findLanes(root) {
  const lanes = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(join(root, group))) {
      const dir = join(root, group, entry);
      const manifest = join(dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const { name, scripts = {} } = JSON.parse(readFileSync(manifest, 'utf8'));
      for (const script of ['test:e2e', 'test']) {
        if (scripts[script]) lanes.push({ name: `${name}:${script}`, dir, script });
      }
    }
  }
  const expected = (lane) => EXPECTED_SECONDS[lane.name] ?? 1;
  return lanes.sort((a, b) => expected(b) - expected(a));
}

/** Copies a child's output to ours line by line, each line prefixed with the lane's name. */
function prefixLines(stream, name, out) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) out.write(`${name}: ${line}\n`);
  });
  stream.on('end', () => {
    if (rest) out.write(`${name}: ${rest}\n`);
  });
}

/**
 * Runs `lanes` at most `concurrency` at a time, in the given order. `command(lane)` gives the
 * `[cmd, ...args]` that runs one. Resolves with each lane's exit status and seconds; never rejects
 * (a lane that cannot start counts as failed).
 */
export async function runLanes(lanes, { concurrency, command, env }) {
  const results = [];
  let next = 0;
  async function slot() {
    while (next < lanes.length) {
      const lane = lanes[next++];
      const started = Date.now();
      const [cmd, ...args] = command(lane);
      // Browser lanes wait on page loads chained one after another: at the same priority as the
      // vitest lanes they stretched from 10.7 min (alone) to 17 min, the whole run's long pole.
      // The vitest lanes run niced instead and take the CPU the browser lane leaves.
      const niced = lane.script === 'test:e2e' ? [] : ['nice', '-n', '10'];
      const [bin, ...rest] = [...niced, cmd, ...args];
      const child = spawn(bin, rest, { cwd: lane.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      prefixLines(child.stdout, lane.name, process.stdout);
      prefixLines(child.stderr, lane.name, process.stderr);
      const code = await new Promise((resolve) => {
        child.on('error', () => resolve(1));
        child.on('close', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
      });
      results.push({ name: lane.name, code, seconds: (Date.now() - started) / 1000 });
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, lanes.length) }, slot));
  return results;
}

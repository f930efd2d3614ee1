#!/usr/bin/env node
// `pnpm check:cycles`: lists the import cycles in every workspace project's sources
// (packages/*/src, apps/*/src) with madge and exits 1 when there is any. Each project is read with
// its own tsconfig, so path aliases such as the dashboard's `~/` resolve; type-only imports count
// too (a cycle of types still ties the modules' meaning together). Imports of other workspace
// packages go through their built `dist/` and are not followed: pnpm's package graph has no cycles.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import madge from 'madge';
import { root } from './lib.mjs';

const projects = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, group, entry.name, 'src')))
    .map((entry) => join(root, group, entry.name)),
);

let found = 0;
for (const project of projects) {
  const tsConfig = join(project, 'tsconfig.json');
  const result = await madge(join(project, 'src'), {
    fileExtensions: ['ts', 'tsx'],
    // Generated code (the Prisma clients) is not ours to restructure.
    excludeRegExp: [/\.d\.ts$/, /node_modules/, /(^|\/)generated\//],
    ...(existsSync(tsConfig) ? { tsConfig } : {}),
    detectiveOptions: {
      ts: { skipTypeImports: false },
      tsx: { skipTypeImports: false },
    },
  });
  const cycles = result.circular();
  const name = relative(root, project);
  if (cycles.length === 0) {
    console.log(`${name}: no import cycles (${Object.keys(result.obj()).length} files)`);
    continue;
  }
  found += cycles.length;
  console.error(`${name}: ${cycles.length} import cycle(s):`);
  for (const cycle of cycles) console.error(`  ${[...cycle, cycle[0]].join(' -> ')}`);
}
if (found > 0) {
  console.error(
    `\n${found} import cycle(s): break each by moving what both sides share into a module of its own.`,
  );
  process.exit(1);
}

#!/usr/bin/env node
// Puts the first --cols tile columns of several sample grids (the trainer's step-N.png, tiles of
// --tile px with 2 px gaps) side by side, 8 px apart: one small PNG showing a run across steps.
// Written as an 8-bit indexed PNG on a fixed 6x7x6 colour cube (252 colours): a third of the bytes
// of RGB for these noisy images, at a visible but small cost in colour banding.
//
//   node examples/grid-strip.mjs [--cols 3] [--tile 64] --out strip.png step-100.png step-400.png ...
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';

const { values, positionals } = parseArgs({
  options: {
    cols: { type: 'string', default: '3' },
    tile: { type: 'string', default: '64' },
    out: { type: 'string' },
  },
  allowPositionals: true,
});
if (!values.out || positionals.length === 0) {
  console.error('usage: grid-strip.mjs [--cols 3] [--tile 64] --out strip.png grid.png...');
  process.exit(2);
}
const pad = 2;
const gap = 8;
const width = pad + Number(values.cols) * (Number(values.tile) + pad);
const grids = positionals.map((file) => PNG.sync.read(readFileSync(file)));
const height = Math.max(...grids.map((g) => g.height));
const out = new PNG({ width: grids.length * width + (grids.length - 1) * gap, height });
out.data.fill(255);
grids.forEach((g, k) => {
  const left = k * (width + gap);
  for (let y = 0; y < g.height; y++) {
    g.data.copy(out.data, (y * out.width + left) * 4, y * g.width * 4, (y * g.width + width) * 4);
  }
});
const LEVELS = [6, 7, 6];
const level = (v, n) => Math.round((v / 255) * (n - 1));
const rows = [];
for (let y = 0; y < out.height; y++) {
  const row = Buffer.alloc(out.width + 1); // filter byte 0, then palette indices
  for (let x = 0; x < out.width; x++) {
    const o = (y * out.width + x) * 4;
    const [r, g, b] = [0, 1, 2].map((c) => level(out.data[o + c], LEVELS[c]));
    row[x + 1] = (r * LEVELS[1] + g) * LEVELS[2] + b;
  }
  rows.push(row);
}
const palette = Buffer.alloc(LEVELS[0] * LEVELS[1] * LEVELS[2] * 3);
for (let i = 0; i < palette.length / 3; i++) {
  const b = i % LEVELS[2];
  const g = Math.floor(i / LEVELS[2]) % LEVELS[1];
  const r = Math.floor(i / (LEVELS[1] * LEVELS[2]));
  palette[3 * i] = Math.round((r * 255) / (LEVELS[0] - 1));
  palette[3 * i + 1] = Math.round((g * 255) / (LEVELS[1] - 1));
  palette[3 * i + 2] = Math.round((b * 255) / (LEVELS[2] - 1));
}
const chunk = (type, data) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(out.width, 0);
ihdr.writeUInt32BE(out.height, 4);
ihdr.set([8, 3, 0, 0, 0], 8); // 8-bit, indexed colour
writeFileSync(
  values.out,
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('PLTE', palette),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]),
);
console.log(`${values.out}: ${out.width}x${out.height}`);

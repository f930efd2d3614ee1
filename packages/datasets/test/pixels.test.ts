import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodePng, parseColour, parseIdx } from '../src/index.js';
import { resizeHwc } from '../src/pixels.js';

describe('parseColour', () => {
  it('reads #rgb, #rrggbb and byte triples', () => {
    expect(parseColour('#fff')).toEqual([255, 255, 255]);
    expect(parseColour('#1E90ff')).toEqual([30, 144, 255]);
    expect(parseColour([1, 2, 3])).toEqual([1, 2, 3]);
  });

  it('names the field on bad input', () => {
    expect(() => parseColour('#ggg', 'fill')).toThrow(
      /fill: expected '#rgb' or '#rrggbb', got '#ggg'/,
    );
    expect(() => parseColour([1, 2, 256])).toThrow(/background: expected three integers in 0..255/);
  });
});

describe('resizeHwc', () => {
  const resize = (src: Float32Array, h: number, w: number, c: number, oh: number, ow: number) => {
    const out = new Float32Array(oh * ow * c);
    resizeHwc(src, 0, h, w, c, out, 0, oh, ow);
    return out;
  };

  it('keeps a constant image constant when growing and shrinking', () => {
    const flat = new Float32Array(28 * 28 * 3).fill(0.25);
    for (const side of [7, 13, 32, 64]) {
      for (const v of resize(flat, 28, 28, 3, side, side)) expect(v).toBeCloseTo(0.25, 6);
    }
  });

  it('averages when halving (2x2 blocks) and keeps channels apart', () => {
    // 4x4x2: channel 0 holds the column index, channel 1 the row index.
    const src = new Float32Array(4 * 4 * 2);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) src.set([x, y], (y * 4 + x) * 2);
    const out = resize(src, 4, 4, 2, 2, 2);
    // Triangle filter over 2 px support: symmetric weights around the block centre.
    expect(out[0]).toBeCloseTo(out[1]!, 6);
    expect(out[2]! - out[0]!).toBeGreaterThan(1.5);
    expect(out[4 + 1]! - out[1]!).toBeGreaterThan(1.5);
    expect((out[0]! + out[2]!) / 2).toBeCloseTo(1.5, 6);
  });
});

describe('encodePng', () => {
  it.each([1, 3, 4])('round-trips %i-channel pixels exactly', (channels) => {
    const w = 5;
    const h = 3;
    const pixels = Uint8Array.from({ length: w * h * channels }, (_, i) => (i * 37) % 256);
    const decoded = PNG.sync.read(encodePng(pixels, w, h, channels));
    expect([decoded.width, decoded.height]).toEqual([w, h]);
    for (let p = 0; p < w * h; p++) {
      for (let c = 0; c < 3; c++)
        expect(decoded.data[p * 4 + c]).toBe(pixels[p * channels + (channels === 1 ? 0 : c)]);
      expect(decoded.data[p * 4 + 3]).toBe(channels === 4 ? pixels[p * 4 + 3] : 255);
    }
  });

  it('rejects a length that does not match the size', () => {
    expect(() => encodePng(new Uint8Array(10), 2, 2, 3)).toThrow(/10 bytes, 2x2x3 needs 12/);
    expect(() => encodePng(new Uint8Array(4), 2, 2, 2)).toThrow(/channels must be 1, 3 or 4/);
  });
});

describe('parseIdx', () => {
  const header = (type: number, dims: number[]) => {
    const buf = Buffer.alloc(4 + 4 * dims.length);
    buf[2] = type;
    buf[3] = dims.length;
    dims.forEach((d, i) => buf.writeUInt32BE(d, 4 + 4 * i));
    return buf;
  };

  it('reads dims and a payload view', () => {
    const file = Buffer.concat([header(0x08, [2, 3]), Buffer.from([1, 2, 3, 4, 5, 6])]);
    const idx = parseIdx(file, 'x');
    expect(idx.dims).toEqual([2, 3]);
    expect([...idx.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects bad magic, non-byte types and wrong lengths', () => {
    expect(() => parseIdx(Buffer.from('PK\x03\x04'), 'a.zip')).toThrow(/a.zip is not an IDX file/);
    expect(() => parseIdx(header(0x0d, [1]), 'f')).toThrow(/type 0xd is not unsigned byte/);
    expect(() => parseIdx(Buffer.concat([header(0x08, [4]), Buffer.alloc(3)]), 'f')).toThrow(
      /need 12 bytes, file has 11/,
    );
  });
});

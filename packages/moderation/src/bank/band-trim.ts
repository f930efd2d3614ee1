/**
 * Finds what was added around a picture: meme caption bands, screenshot headers and footers, side
 * margins. Such a band is a run of edge rows (or columns) dominated by one flat colour, text
 * included (glyphs cover well under half of a text row); a photo's own rows rarely are.
 */
import type { RgbImage } from '../input/decode.js';
import type { Region } from '../pdq/image.js';

/** A pixel counts as band background within this distance (max over R, G, B) of the band colour. */
const COLOUR_TOLERANCE = 28;
/** Share of a row's pixels that must be background for the row to belong to a band (text rows). */
const MIN_BACKGROUND_SHARE = 0.3;
/** A flat row: the band ends after the last one, so text rows inside it are kept in the band. */
const FLAT_SHARE = 0.9;
/** Bands thinner than this share of the side are ignored (JPEG ringing, a 1-px frame). */
const MIN_BAND = 0.03;
/** A band may not take more than this share of the side: what is left must be a picture. */
const MAX_BAND = 0.45;

type Edge = 'top' | 'bottom' | 'left' | 'right';

function pixel(image: RgbImage, x: number, y: number): [number, number, number] {
  const p = (y * image.width + x) * 3;
  return [image.data[p]!, image.data[p + 1]!, image.data[p + 2]!];
}

/** Median colour of a line of pixels (per channel). */
function medianColour(line: [number, number, number][]): [number, number, number] {
  const mid = line.length >> 1;
  const channel = (c: 0 | 1 | 2) => line.map((p) => p[c]).sort((a, b) => a - b)[mid]!;
  return [channel(0), channel(1), channel(2)];
}

function lineAt(image: RgbImage, edge: Edge, k: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  if (edge === 'top' || edge === 'bottom') {
    const y = edge === 'top' ? k : image.height - 1 - k;
    for (let x = 0; x < image.width; x++) out.push(pixel(image, x, y));
  } else {
    const x = edge === 'left' ? k : image.width - 1 - k;
    for (let y = 0; y < image.height; y++) out.push(pixel(image, x, y));
  }
  return out;
}

function backgroundShare(line: [number, number, number][], colour: [number, number, number]) {
  let n = 0;
  for (const [r, g, b] of line) {
    const d = Math.max(Math.abs(r - colour[0]), Math.abs(g - colour[1]), Math.abs(b - colour[2]));
    if (d <= COLOUR_TOLERANCE) n++;
  }
  return n / line.length;
}

/** Thickness in pixels of the band at one edge (0 when there is none). */
function bandAt(image: RgbImage, edge: Edge): number {
  const side = edge === 'top' || edge === 'bottom' ? image.height : image.width;
  const first = lineAt(image, edge, 0);
  const colour = medianColour(first);
  if (backgroundShare(first, colour) < FLAT_SHARE) return 0; // the edge is not flat: no band
  const limit = Math.floor(side * MAX_BAND);
  let lastFlat = 0;
  let k = 1;
  for (; k < limit; k++) {
    const share = backgroundShare(lineAt(image, edge, k), colour);
    if (share < MIN_BACKGROUND_SHARE) break;
    if (share >= FLAT_SHARE) lastFlat = k;
  }
  if (k >= limit) return 0; // band-coloured far into the picture: a flat image, not a band
  const band = lastFlat + 1;
  return band >= side * MIN_BAND ? band : 0;
}

/**
 * The picture inside any added bands, or `undefined` when no band was found.
 * Top and bottom are trimmed first, then left and right on what is left.
 */
export function contentRegion(image: RgbImage): Region | undefined {
  const top = bandAt(image, 'top');
  const bottom = bandAt(image, 'bottom');
  const left = bandAt(image, 'left');
  const right = bandAt(image, 'right');
  if (top + bottom + left + right === 0) return undefined;
  const width = image.width - left - right;
  const height = image.height - top - bottom;
  if (width < image.width * 0.4 || height < image.height * 0.4) return undefined;
  return { left, top, width, height };
}

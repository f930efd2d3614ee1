/**
 * Finds what was added around a picture: meme caption bands, screenshot headers and footers, side
 * margins. Such a band is a run of edge rows (or columns) dominated by one flat colour, text
 * included (glyphs cover well under half of a text row); a photo's own rows rarely are.
 */
import type { RgbImage } from '../input/decode.js';
import type { Region } from '../pdq/image.js';

/** A pixel counts as band background within this distance (max over R, G, B) of the band colour. */
const COLOUR_TOLERANCE = 28;
/** Tighter tolerance for the flat rows that close a band, so a pale sky does not extend it. */
const FLAT_TOLERANCE = 12;
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

function backgroundShare(
  line: [number, number, number][],
  colour: [number, number, number],
  tolerance = COLOUR_TOLERANCE,
) {
  let n = 0;
  for (const [r, g, b] of line) {
    const d = Math.max(Math.abs(r - colour[0]), Math.abs(g - colour[1]), Math.abs(b - colour[2]));
    if (d <= tolerance) n++;
  }
  return n / line.length;
}

/** Thickness in pixels of the band at one edge (0 when there is none). */
function bandAt(image: RgbImage, edge: Edge): number {
  const side = edge === 'top' || edge === 'bottom' ? image.height : image.width;
  const first = lineAt(image, edge, 0);
  const colour = medianColour(first);
  if (backgroundShare(first, colour, FLAT_TOLERANCE) < FLAT_SHARE) return 0; // no flat edge
  const limit = Math.floor(side * MAX_BAND);
  let lastFlat = 0;
  let k = 1;
  for (; k < limit; k++) {
    const line = lineAt(image, edge, k);
    if (backgroundShare(line, colour) < MIN_BACKGROUND_SHARE) break;
    if (backgroundShare(line, colour, FLAT_TOLERANCE) >= FLAT_SHARE) lastFlat = k;
  }
  // A picture whose edge is as dark (or pale) as the band keeps the loose run going to the limit;
  // the flat lines still mark where the band ends, unless they too run that far (a flat image).
  if (k >= limit && lastFlat >= limit * 0.9) return 0;
  const band = lastFlat + 1;
  return band >= side * MIN_BAND ? band : 0;
}

/**
 * Candidate pictures inside added bands, most complete first: every detected band trimmed, then
 * top/bottom only, left/right only and each band alone, and margins made symmetric where only one
 * side was found (a dark photo edge hides its screenshot margin). Empty when no band was found.
 */
export function contentRegions(image: RgbImage): Region[] {
  const found = {
    top: bandAt(image, 'top'),
    bottom: bandAt(image, 'bottom'),
    left: bandAt(image, 'left'),
    right: bandAt(image, 'right'),
  };
  if (found.top + found.bottom + found.left + found.right === 0) return [];
  const sym = {
    ...found,
    left: Math.max(found.left, found.right),
    right: Math.max(found.left, found.right),
  };
  // One margin may run on into a flat photo edge: the thinner one is then the real width.
  const thinner = Math.min(found.left, found.right) || Math.max(found.left, found.right);
  const symThin = { ...found, left: thinner, right: thinner };
  const none = { top: 0, bottom: 0, left: 0, right: 0 };
  const options = [
    found,
    sym,
    symThin,
    { ...found, left: 0, right: 0 },
    { ...none, left: found.left, right: found.right },
    { ...none, top: found.top },
    { ...none, bottom: found.bottom },
    { ...sym, top: 0, bottom: 0 },
  ];
  const out: Region[] = [];
  const seen = new Set<string>();
  for (const b of options) {
    if (b.top + b.bottom + b.left + b.right === 0) continue;
    const region = {
      left: b.left,
      top: b.top,
      width: image.width - b.left - b.right,
      height: image.height - b.top - b.bottom,
    };
    if (region.width < image.width * 0.4 || region.height < image.height * 0.4) continue;
    const key = `${region.left},${region.top},${region.width},${region.height}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(region);
    }
  }
  return out;
}

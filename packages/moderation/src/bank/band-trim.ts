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

/** Where a line of pixels lies in `image.data`: first byte, step between pixels, pixel count. */
interface Line {
  start: number;
  step: number;
  length: number;
}

function lineAt(image: RgbImage, edge: Edge, k: number): Line {
  if (edge === 'top' || edge === 'bottom') {
    const y = edge === 'top' ? k : image.height - 1 - k;
    return { start: y * image.width * 3, step: 3, length: image.width };
  }
  const x = edge === 'left' ? k : image.width - 1 - k;
  return { start: x * 3, step: image.width * 3, length: image.height };
}

/** Per-channel histograms, reused across calls (this runs once per edge of every upload). */
const histogram = new Uint32Array(3 * 256);

/**
 * Median colour of a line of pixels (per channel): the element at `length >> 1` of each channel's
 * sorted values, read from a histogram instead of sorting.
 */
function medianColour(data: Uint8Array, line: Line): [number, number, number] {
  histogram.fill(0);
  for (let i = 0, p = line.start; i < line.length; i++, p += line.step) {
    histogram[data[p]!]!++;
    histogram[256 + data[p + 1]!]!++;
    histogram[512 + data[p + 2]!]!++;
  }
  const mid = line.length >> 1;
  const channel = (c: number) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += histogram[c * 256 + v]!;
      if (seen > mid) return v;
    }
    return 255;
  };
  return [channel(0), channel(1), channel(2)];
}

/**
 * Shares of a line's pixels within {@link COLOUR_TOLERANCE} (`loose`) and within
 * {@link FLAT_TOLERANCE} (`flat`) of `colour` (max over R, G, B), in one pass.
 */
function backgroundShares(
  data: Uint8Array,
  line: Line,
  colour: [number, number, number],
): { loose: number; flat: number } {
  const [r0, g0, b0] = colour;
  let loose = 0;
  let flat = 0;
  for (let i = 0, p = line.start; i < line.length; i++, p += line.step) {
    const d = Math.max(
      Math.abs(data[p]! - r0),
      Math.abs(data[p + 1]! - g0),
      Math.abs(data[p + 2]! - b0),
    );
    if (d <= COLOUR_TOLERANCE) loose++;
    if (d <= FLAT_TOLERANCE) flat++;
  }
  return { loose: loose / line.length, flat: flat / line.length };
}

/** Thickness in pixels of the band at one edge (0 when there is none). */
function bandAt(image: RgbImage, edge: Edge): number {
  const side = edge === 'top' || edge === 'bottom' ? image.height : image.width;
  const data = image.data;
  const first = lineAt(image, edge, 0);
  const colour = medianColour(data, first);
  if (backgroundShares(data, first, colour).flat < FLAT_SHARE) return 0; // no flat edge
  const limit = Math.floor(side * MAX_BAND);
  let lastFlat = 0;
  let k = 1;
  for (; k < limit; k++) {
    const shares = backgroundShares(data, lineAt(image, edge, k), colour);
    if (shares.loose < MIN_BACKGROUND_SHARE) break;
    if (shares.flat >= FLAT_SHARE) lastFlat = k;
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

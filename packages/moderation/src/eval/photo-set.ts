/**
 * The near-duplicate evaluation's real photographs: desktop wallpapers and nature photos that Debian
 * ships in four data-only packages (no dependencies, installed by the repo's `npm test` as root).
 * Sources and licences are listed in the package README. Edits are made with sharp (libvips), the
 * way an uploader's phone or meme tool would make them.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { ModerationConfigError } from '../errors.js';

/** Debian packages holding the photo set (CC-BY, CC-BY-SA, CC0 and GPL-2+ images). */
export const PHOTO_SET_PACKAGES = [
  'lomiri-wallpapers-16.04',
  'lomiri-wallpapers-20.04',
  'mate-backgrounds',
  'ukui-wallpapers',
] as const;

/** Where those packages install their images. */
export const PHOTO_SET_DIR = '/usr/share/backgrounds';

/** Larger copies of a photo that is already in the set. */
const DUPLICATE_FILES = /_(3840x2160|5640x3172)\./;
/** Families of recoloured copies of one design: all banked, so none is a negative for another. */
const SIBLINGS = /Ubuntu-Mate-|MATE-Stripes|Stripes\.png|Picture_[01][AB]_by_freespace/;

/** One photo of the set. */
export interface SetPhoto {
  id: string;
  path: string;
  /** Recoloured copies of one design share a family: matching a sibling counts as a match. */
  family: string;
}

function familyOf(id: string): string {
  if (/Ubuntu-Mate-.*-no-logo/.test(id)) return 'Ubuntu-Mate-no-logo';
  if (/MATE-Stripes-/.test(id)) return 'MATE-Stripes';
  return id;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * The set, split into banked originals and unrelated negatives (alternate files in sorted order;
 * recoloured siblings all banked).
 *
 * @throws {@link ModerationConfigError} naming the packages to install when the photos are missing.
 */
export function photoSet(dir: string = PHOTO_SET_DIR): {
  banked: SetPhoto[];
  unrelated: SetPhoto[];
} {
  const files = existsSync(dir)
    ? walk(dir)
        .filter((p) => /\.(jpe?g|png)$/i.test(p) && !DUPLICATE_FILES.test(p))
        .sort()
    : [];
  if (files.length < 40) {
    throw new ModerationConfigError(
      `The photo set needs the Debian packages ${PHOTO_SET_PACKAGES.join(', ')} (found ${files.length} images in ${dir}); ` +
        `install them with: apt-get install --no-install-recommends ${PHOTO_SET_PACKAGES.join(' ')} (npm test does this as root)`,
    );
  }
  const banked: SetPhoto[] = [];
  const unrelated: SetPhoto[] = [];
  files.forEach((path, i) => {
    const id = path.slice(dir.length + 1);
    const photo = { id, path, family: familyOf(id) };
    (SIBLINGS.test(path) || i % 2 === 0 ? banked : unrelated).push(photo);
  });
  return { banked, unrelated };
}

/**
 * A photo as the set uses it: at most `side` px on the long side, PNG bytes. A few MATE
 * backgrounds are white shapes on transparency, meant to lie over the desktop colour: they are
 * flattened onto a dark grey, as a desktop shows them (on white they would be blank).
 */
export async function loadSetPhoto(photo: SetPhoto, side = 512): Promise<Buffer> {
  return sharp(photo.path)
    .rotate()
    .resize(side, side, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#30343a' })
    .png()
    .toBuffer();
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function textSvg(
  width: number,
  height: number,
  lines: { text: string; y: number; size: number; fill: string; stroke?: string }[],
): Buffer {
  const texts = lines
    .map(
      (l) =>
        `<text x="50%" y="${l.y}" font-family="DejaVu Sans" font-weight="bold" font-size="${l.size}" text-anchor="middle" fill="${l.fill}"${l.stroke ? ` stroke="${l.stroke}" stroke-width="${Math.max(1, l.size / 14)}"` : ''}>${escapeXml(l.text)}</text>`,
    )
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${texts}</svg>`,
  );
}

const CAPTIONS = [
  'WHEN THE WEEKEND FINALLY ARRIVES',
  'NOBODY: ABSOLUTELY NOBODY:',
  'ME EXPLAINING IT FOR THE 5TH TIME',
  'THIS IS FINE',
];

/** One edit: PNG in, an uploaded file out. `index` varies captions and crop anchors per photo. */
export type PhotoEdit = (png: Buffer, index: number) => Promise<Buffer>;

const jpeg = (img: Sharp) => img.jpeg({ quality: 90 }).toBuffer();

async function size(png: Buffer): Promise<{ width: number; height: number }> {
  const { width = 0, height = 0 } = await sharp(png).metadata();
  return { width, height };
}

/** Keeps `keepArea` of the area (same fraction of each side), anchored per photo at a corner, an edge or the centre. */
async function crop(png: Buffer, index: number, keepArea: number): Promise<Buffer> {
  const { width, height } = await size(png);
  const w = Math.round(width * Math.sqrt(keepArea));
  const h = Math.round(height * Math.sqrt(keepArea));
  // Off the bank's crop grid on purpose: a real crop is anywhere.
  const anchors = [
    [0.5, 0.5],
    [0.15, 0.2],
    [0.85, 0.9],
    [0.9, 0.1],
    [0.3, 0.8],
    [0.6, 0.35],
  ] as const;
  const [ax, ay] = anchors[index % anchors.length]!;
  return jpeg(
    sharp(png).extract({
      left: Math.round((width - w) * ax),
      top: Math.round((height - h) * ay),
      width: w,
      height: h,
    }),
  );
}

/**
 * The edits of the evaluation: "easy" ones (a hash should survive them), then captions and
 * overlays, rotations, crops and a screenshot-like frame. Every output is a JPEG at quality 90
 * except `jpeg q50`.
 */
export const PHOTO_EDITS: Record<string, PhotoEdit> = {
  'resize x0.5': async (png) => jpeg(sharp(png).resize(Math.round((await size(png)).width / 2))),
  'jpeg q50': (png) => sharp(png).jpeg({ quality: 50 }).toBuffer(),
  'brightness +25%': (png) => jpeg(sharp(png).modulate({ brightness: 1.25 })),
  'crop 5%': (png, i) => crop(png, i, 0.95),
  mirror: (png) => jpeg(sharp(png).flop()),
  'blur σ2': (png) => jpeg(sharp(png).blur(2)),
  grayscale: (png) => jpeg(sharp(png).grayscale()),
  'caption band': async (png, i) => {
    // A meme-style white band with black text above (even photos) or below (odd photos).
    const { width, height } = await size(png);
    const band = Math.round(height * 0.2);
    const size_ = Math.round(band * 0.32);
    const top = i % 2 === 0;
    const caption = textSvg(width, band, [
      {
        text: CAPTIONS[i % CAPTIONS.length]!,
        y: Math.round(band * 0.62),
        size: size_,
        fill: '#000',
      },
    ]);
    return jpeg(
      sharp(png)
        .extend({
          top: top ? band : 0,
          bottom: top ? 0 : band,
          background: '#ffffff',
        })
        .composite([{ input: caption, top: top ? 0 : height, left: 0 }]),
    );
  },
  'text overlay': async (png, i) => {
    // Classic meme text: white with a black outline, over the top and bottom of the picture.
    const { width, height } = await size(png);
    const s = Math.round(Math.min(height * 0.08, width * 0.045));
    const svg = textSvg(width, height, [
      {
        text: CAPTIONS[i % CAPTIONS.length]!,
        y: Math.round(s * 1.3),
        size: s,
        fill: '#fff',
        stroke: '#000',
      },
      {
        text: CAPTIONS[(i + 1) % CAPTIONS.length]!,
        y: height - Math.round(s * 0.5),
        size: s,
        fill: '#fff',
        stroke: '#000',
      },
    ]);
    return jpeg(sharp(png).composite([{ input: svg, top: 0, left: 0 }]));
  },
  'rotate 90': (png) => jpeg(sharp(png).rotate(90)),
  'rotate 180': (png) => jpeg(sharp(png).rotate(180)),
  'rotate 270': (png) => jpeg(sharp(png).rotate(270)),
  'crop 20%': (png, i) => crop(png, i, 0.8),
  'screenshot border': async (png) => {
    // A phone screenshot of a post: dark status bar and header, side margins, a footer with text.
    const { width, height } = await size(png);
    const margin = Math.round(width * 0.04);
    const header = Math.round(height * 0.14);
    const footer = Math.round(height * 0.18);
    const W = width + 2 * margin;
    const chrome = textSvg(W, header + height + footer, [
      {
        text: '12:41   ▾ 87%',
        y: Math.round(header * 0.35),
        size: Math.round(header * 0.22),
        fill: '#ddd',
      },
      {
        text: 'somebody · 2h',
        y: Math.round(header * 0.8),
        size: Math.round(header * 0.25),
        fill: '#fff',
      },
      {
        text: '♥ 1,204   87 comments   share',
        y: header + height + Math.round(footer * 0.45),
        size: Math.round(footer * 0.2),
        fill: '#fff',
      },
    ]);
    return jpeg(
      sharp(png)
        .extend({ top: header, bottom: footer, left: margin, right: margin, background: '#15181c' })
        .composite([{ input: chrome, top: 0, left: 0 }]),
    );
  },
};

/** Edits the issue calls easy: a perceptual hash alone should survive them. */
export const EASY_EDITS = [
  'resize x0.5',
  'jpeg q50',
  'brightness +25%',
  'crop 5%',
  'mirror',
  'blur σ2',
  'grayscale',
  'caption band',
  'text overlay',
] as const;

// --- Benign photographs for the explicit-image detector (false-positive evaluation) ---

/**
 * Debian packages adding photographs outside {@link PHOTO_SET_DIR}: palapeli-data's puzzle photos
 * (castle, bridge, citrus fruits, honey bee, chameleon) and wood/fabric textures (GPL-2+ per
 * Debian's copyright file), and matplotlib's Grace Hopper portrait (US Navy, public domain) for a
 * human face. Data only: no dependencies beyond fonts.
 */
export const BENIGN_EXTRA_PACKAGES = ['palapeli-data', 'python-matplotlib-data'] as const;

/** Folders (or single files) those packages install the photographs to. */
export const BENIGN_EXTRA_SOURCES = [
  '/usr/share/palapeli/collection',
  '/usr/share/palapeli/backgrounds',
  '/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg',
] as const;

/** Every Debian package of the benign set. */
export const BENIGN_PHOTO_PACKAGES = [...PHOTO_SET_PACKAGES, ...BENIGN_EXTRA_PACKAGES] as const;

/**
 * The benign real-photograph set, sorted file paths: every image of the photo set (wallpapers and
 * nature photos, larger duplicates left out) plus {@link BENIGN_EXTRA_SOURCES}. None is explicit;
 * several are what nsfwjs alone calls "Porn" (a yellow flower, wood textures, abstract art).
 *
 * @throws {@link ModerationConfigError} naming the packages to install when any source is missing.
 */
export function benignPhotos(dir: string = PHOTO_SET_DIR): string[] {
  const missing = [dir, ...BENIGN_EXTRA_SOURCES].filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new ModerationConfigError(
      `The benign photo set needs the Debian packages ${BENIGN_PHOTO_PACKAGES.join(', ')} (missing: ${missing.join(', ')}); ` +
        `install them with: apt-get install --no-install-recommends ${BENIGN_PHOTO_PACKAGES.join(' ')} (npm test does this as root)`,
    );
  }
  return [dir, ...BENIGN_EXTRA_SOURCES]
    .flatMap((p) => (statSync(p).isDirectory() ? walk(p) : [p]))
    .filter((p) => /\.(jpe?g|png)$/i.test(p) && !DUPLICATE_FILES.test(p))
    .sort();
}

/**
 * How a benign photo is posted in the explicit evaluation: as is (at most 512 px, JPEG q90) and
 * edited the way people repost photos. Crops matter most: nsfwjs' score moves by up to 0.7 between
 * a photo and a quarter of it.
 */
export type BenignView = (path: string) => Promise<Buffer>;

const posted = (path: string): Sharp =>
  sharp(path)
    .rotate()
    .resize(512, 512, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' });

/** Keeps `keepArea` of the area, anchored at (ax, ay) in [0, 1]. */
function cropView(ax: number, ay: number, keepArea: number): BenignView {
  return async (path) => {
    const png = await posted(path).png().toBuffer();
    const { width = 0, height = 0 } = await sharp(png).metadata();
    const w = Math.round(width * Math.sqrt(keepArea));
    const h = Math.round(height * Math.sqrt(keepArea));
    return sharp(png)
      .extract({
        left: Math.round((width - w) * ax),
        top: Math.round((height - h) * ay),
        width: w,
        height: h,
      })
      .jpeg({ quality: 90 })
      .toBuffer();
  };
}

/** The views of {@link benignPhotos} used by the explicit evaluation, by name. */
export const BENIGN_VIEWS: Record<string, BenignView> = {
  original: (p) => posted(p).jpeg({ quality: 90 }).toBuffer(),
  mirror: (p) => posted(p).flop().jpeg({ quality: 90 }).toBuffer(),
  grayscale: (p) => posted(p).grayscale().jpeg({ quality: 90 }).toBuffer(),
  'blur σ2': (p) => posted(p).blur(2).jpeg({ quality: 90 }).toBuffer(),
  'brightness +25%': (p) =>
    posted(p).modulate({ brightness: 1.25 }).jpeg({ quality: 90 }).toBuffer(),
  'rotate 90': (p) => posted(p).rotate(90).jpeg({ quality: 90 }).toBuffer(),
  'crop 80% centre': cropView(0.5, 0.5, 0.8),
  'crop 80% top-left': cropView(0, 0, 0.8),
  'crop 80% bottom-right': cropView(1, 1, 0.8),
  'crop 50% centre': cropView(0.5, 0.5, 0.5),
  'crop 25% top-left': cropView(0, 0, 0.25),
  'crop 25% bottom-right': cropView(1, 1, 0.25),
};

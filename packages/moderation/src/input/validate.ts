/**
 * Input validation for submitted items: structure, caption length, image size, type and pixel count.
 * Everything here runs on headers only; decoding happens later with the same pixel limit enforced
 * again by the decoder.
 */
import { ModerationInputError } from '../errors.js';
import type { ModerationItem } from '../types.js';
import { captionLength, DEFAULT_INPUT_LIMITS, type InputLimits } from '../contract/limits.js';
import { sniffImage, type ImageHeader } from '../contract/sniff.js';

/** An item that passed validation, with its image header. */
export interface ValidatedItem {
  externalId: string;
  caption?: string;
  image?: { bytes: Uint8Array; header: ImageHeader };
}

/**
 * Checks one image's bytes against the limits and returns its header.
 *
 * @throws {@link ModerationInputError} with code `EMPTY`, `TOO_LARGE`, `UNSUPPORTED_TYPE`,
 *   `TRUNCATED`, `CORRUPT` or `TOO_MANY_PIXELS`.
 */
export function validateImage(
  bytes: Uint8Array,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): ImageHeader {
  if (bytes.length > limits.maxImageBytes) {
    throw new ModerationInputError(
      'TOO_LARGE',
      `Image is ${bytes.length} bytes; the limit is ${limits.maxImageBytes}`,
      { bytes: bytes.length, maxImageBytes: limits.maxImageBytes },
    );
  }
  const header = sniffImage(bytes);
  const pixels = header.width * header.height;
  if (pixels > limits.maxPixels) {
    throw new ModerationInputError(
      'TOO_MANY_PIXELS',
      `${header.type.toUpperCase()} header declares ${header.width}x${header.height} = ${pixels} pixels; the limit is ${limits.maxPixels}`,
      { ...header, pixels, maxPixels: limits.maxPixels },
    );
  }
  return header;
}

/**
 * Validates a submitted item. Refuses it whole on the first problem found.
 *
 * @throws {@link ModerationInputError} `INVALID_ITEM` (bad shape or nothing to moderate),
 *   `CAPTION_TOO_LONG`, or any code from {@link validateImage}.
 */
export function validateItem(
  item: ModerationItem,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): ValidatedItem {
  if (typeof item !== 'object' || item === null) {
    throw new ModerationInputError('INVALID_ITEM', 'Item must be an object');
  }
  const { externalId, caption, image } = item;
  if (
    typeof externalId !== 'string' ||
    externalId.trim() === '' ||
    externalId.length > limits.maxExternalIdLength
  ) {
    throw new ModerationInputError(
      'INVALID_ITEM',
      `externalId must be a non-empty string of at most ${limits.maxExternalIdLength} characters`,
    );
  }
  if (caption !== undefined && typeof caption !== 'string') {
    throw new ModerationInputError('INVALID_ITEM', `caption of ${externalId} must be a string`);
  }
  if (image !== undefined && !(image instanceof Uint8Array)) {
    throw new ModerationInputError(
      'INVALID_ITEM',
      `image of ${externalId} must be a Uint8Array (or Buffer)`,
    );
  }
  if (caption === undefined && image === undefined) {
    throw new ModerationInputError(
      'INVALID_ITEM',
      `Item ${externalId} has neither a caption nor an image`,
    );
  }
  const out: ValidatedItem = { externalId };
  if (caption !== undefined) {
    const length = captionLength(caption);
    if (length > limits.maxCaptionLength) {
      throw new ModerationInputError(
        'CAPTION_TOO_LONG',
        `Caption of ${externalId} has ${length} characters; the limit is ${limits.maxCaptionLength}`,
        { length, maxCaptionLength: limits.maxCaptionLength },
      );
    }
    out.caption = caption;
  }
  if (image !== undefined) out.image = { bytes: image, header: validateImage(image, limits) };
  return out;
}

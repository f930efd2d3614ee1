/**
 * Rows of one image reduced across a horizontal span, kept in buffers reused from image to image.
 * The profile signatures read several regions of an image in a row, most of them sharing the
 * image's full width (the upload and the pictures between its caption bands), so each source row
 * is reduced once per span. A fresh megabyte or two per upload
 * cost more in page faults and garbage collection than the reduction itself.
 */
import type { RgbImage } from '../input/decode.js';

/** One span's reduced rows: row `y` holds `cells` values from `y * cells`, valid once `done[y]`. */
export interface SpanRows<Values extends Float32Array | Float64Array> {
  values: Values;
  done: Uint8Array;
}

/** Reduced rows per span of the image seen last; a new image starts over with the same buffers. */
export class SpanRowPool<Values extends Float32Array | Float64Array> {
  private image: RgbImage | undefined;
  private readonly spans = new Map<number, SpanRows<Values>>();
  private readonly slots: SpanRows<Values>[] = [];

  /** `allocate(n)` makes a zeroed array of `n` values (`n => new Float64Array(n)`). */
  constructor(private readonly allocate: (length: number) => Values) {}

  /**
   * The rows of `image` across columns `left .. left + width - 1`, `cells` values per row; rows
   * not yet reduced have `done[y] === 0`.
   */
  rows(image: RgbImage, left: number, width: number, cells: number): SpanRows<Values> {
    if (this.image !== image) {
      this.image = image;
      this.spans.clear();
    }
    const key = left * (image.width + 1) + width;
    const known = this.spans.get(key);
    if (known) return known;
    const size = image.height * cells;
    let slot = this.slots[this.spans.size];
    if (!slot || slot.values.length < size || slot.done.length < image.height) {
      slot = {
        values: this.allocate(Math.max(size, slot?.values.length ?? 0)),
        done: new Uint8Array(Math.max(image.height, slot?.done.length ?? 0)),
      };
      this.slots[this.spans.size] = slot;
    }
    slot.done.fill(0);
    this.spans.set(key, slot);
    return slot;
  }
}

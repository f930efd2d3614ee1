/** The contract every detector implements, batch-first so model-backed detectors can batch. */
import type { RgbImage } from '../input/decode.js';
import type { DetectorCategory } from '../contract/vocabulary.js';
import type { DetectorResult } from '../types.js';

/** What a detector sees of one item: validated caption and/or decoded image. */
export interface DetectorInput {
  externalId: string;
  caption?: string;
  image?: RgbImage;
}

/** A scorer of one kind of harm. */
export interface Detector {
  /** Stable name, used in scores, policy overrides and reports. */
  readonly name: string;
  readonly category: DetectorCategory;
  /** Which part of an item it reads; items without that part skip the detector. */
  readonly reads: 'image' | 'caption';
  /**
   * Scores a batch; returns one result per input, in order. Inputs always carry the part in
   * {@link Detector.reads}.
   */
  detect(inputs: readonly DetectorInput[]): Promise<DetectorResult[]>;
}

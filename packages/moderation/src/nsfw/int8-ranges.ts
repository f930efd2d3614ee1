/**
 * Activation ranges of the NSFW MobileNetV2's native trunk for its int8 precision: [min, max] of
 * the input and then of each node's output, measured by the f32 trunk (`FoldedModel.calibrate`)
 * on the 35 photos of the benign set's fit half (original view). Written by
 * `bench:nsfw-precision --calibrate` (then formatted by prettier); do not edit.
 */
export const NSFW_INT8_RANGES: readonly number[] = [
  0, 1, 0, 6, 0, 6, -39.6813, 38.7662, 0, 6, 0, 6, -28.5, 32.5618, 0, 6, 0, 6, -50.6103, 36.5854,
  -48.0912, 41.3997, 0, 6, 0, 6, -24.9496, 26.3367, 0, 6, 0, 6, -23.4585, 26.5856, -34.7491,
  30.4063, 0, 6, 0, 6, -27.9449, 30.0439, -39.9511, 52.1789, 0, 6, 0, 6, -24.083, 20.9698, 0, 6, 0,
  6, -17.7362, 26.1465, -24.6649, 27.9072, 0, 6, 0, 6, -19.4272, 17.9761, -26.1435, 29.182, 0, 6, 0,
  6, -16.6055, 21.5092, -27.2437, 28.0578, 0, 6, 0, 6, -16.7139, 18.5892, 0, 6, 0, 6, -15.5113,
  13.8871, -19.6568, 21.1262, 0, 6, 0, 6, -21.4206, 18.5801, -24.7462, 24.6353, 0, 6, 0, 6,
  -14.0272, 12.5798, 0, 6, 0, 6, -10.2523, 9.98536, -16.7634, 16.1327, 0, 6, 0, 6, -25.6829,
  27.3432, -24.0435, 24.1104, 0, 6, 0, 6, -14.3056, 13.8234, 0, 6,
];

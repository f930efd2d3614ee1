/**
 * Class names of the built-in datasets, in label order. Dependency-free, so browser code can use
 * them through `@ganmod/datasets/spec` without loading the readers.
 */

/** MNIST class names: the digits. */
export const MNIST_CLASS_NAMES: readonly string[] = Object.freeze([
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
]);

/** Fashion-MNIST class names, in label order (from Zalando's README). */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/** Emoji categories in the package's canonical order; labels index into this (or the filter). */
export const EMOJI_CATEGORIES: readonly string[] = Object.freeze([
  'Smileys & Emotion',
  'People & Body',
  'Component',
  'Animals & Nature',
  'Food & Drink',
  'Travel & Places',
  'Activities',
  'Objects',
  'Symbols',
  'Flags',
]);

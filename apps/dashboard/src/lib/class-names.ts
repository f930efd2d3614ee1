/**
 * Class names of a conditional generator, from its training config. The lists are those of
 * `@ganmod/datasets` (MNIST_CLASS_NAMES, FASHION_MNIST_CLASS_NAMES, EMOJI_CATEGORIES), repeated
 * here because that package loads TF.js, sharp and the file system, none of which belong in the
 * dashboard's bundles; `test/class-names.test.ts` keeps the copies equal.
 */

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export const FASHION_MNIST_CLASSES = [
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
] as const;

export const EMOJI_CLASSES = [
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
] as const;

/**
 * `numClasses` labels for a generator trained with `config`: the dataset's `classes` filter when
 * it has one (labels are renumbered in its order), else the dataset's own class names; `class 0`,
 * `class 1`, … when neither is known or the count does not match the generator.
 */
export function generatorClassNames(config: unknown, numClasses: number): string[] {
  const dataset = (config as { dataset?: { kind?: unknown; classes?: unknown } } | null)?.dataset;
  const filter =
    Array.isArray(dataset?.classes) && dataset.classes.every((c) => typeof c === 'string')
      ? dataset.classes
      : undefined;
  const byKind: Record<string, readonly string[]> = {
    mnist: MNIST_CLASSES,
    'fashion-mnist': FASHION_MNIST_CLASSES,
    emoji: EMOJI_CLASSES,
  };
  const known = filter ?? (typeof dataset?.kind === 'string' ? byKind[dataset.kind] : undefined);
  return known && known.length === numClasses
    ? [...known]
    : Array.from({ length: numClasses }, (_, i) => `class ${i}`);
}

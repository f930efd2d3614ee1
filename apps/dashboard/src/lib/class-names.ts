/** Class names of a conditional generator, from its training config. */
import {
  EMOJI_CATEGORIES,
  FASHION_MNIST_CLASS_NAMES,
  MNIST_CLASS_NAMES,
} from '@ganmod/datasets/spec';

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
    mnist: MNIST_CLASS_NAMES,
    'fashion-mnist': FASHION_MNIST_CLASS_NAMES,
    emoji: EMOJI_CATEGORIES,
  };
  const known = filter ?? (typeof dataset?.kind === 'string' ? byKind[dataset.kind] : undefined);
  return known && known.length === numClasses
    ? [...known]
    : Array.from({ length: numClasses }, (_, i) => `class ${i}`);
}

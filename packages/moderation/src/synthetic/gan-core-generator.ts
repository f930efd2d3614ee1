/** Adapts a generator exported by gan-core (`exportGenerator`) to an {@link ImageGenerator}. */
import { loadGenerator, sample } from '@ganmod/gan-core';
import type { ImageGenerator } from './generator.js';

/**
 * Loads an exported generator directory. Conditional generators get labels drawn uniformly from
 * their classes (seeded), so the fakes cover every class like the real set does.
 */
export async function ganCoreGenerator(
  dir: string,
): Promise<{ generate: ImageGenerator; name: string }> {
  const { model, metadata } = await loadGenerator(dir);
  const generate: ImageGenerator = (n, seed) => {
    if (metadata.numClasses === 0) return sample(model, { n, seed });
    let s = seed >>> 0;
    const label = Array.from({ length: n }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s >>> 16) % metadata.numClasses;
    });
    return sample(model, { n, seed, label });
  };
  return {
    generate,
    name: `gan-core generator ${dir} (sha256 ${metadata.weightsSha256.slice(0, 12)})`,
  };
}

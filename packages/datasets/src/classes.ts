/** Class selection shared by the loaders: validate requested names and remap label indices. */
import { DatasetError } from './errors.js';

/** The classes kept after a `classes` filter and how old label indices map to new ones. */
export interface ClassSelection {
  /** Kept class names, in the set's canonical order. */
  classNames: readonly string[];
  /** Old label -> new label, or -1 when the class is dropped. */
  remap: Int32Array;
}

/**
 * Select `requested` among `all` class names (all of them when `requested` is undefined).
 * @throws DatasetError naming `field` and listing the valid names when a name is unknown.
 */
export function selectClasses(
  all: readonly string[],
  requested: readonly string[] | undefined,
  field = 'classes',
): ClassSelection {
  const remap = new Int32Array(all.length).fill(-1);
  if (requested === undefined) {
    remap.forEach((_, i) => (remap[i] = i));
    return { classNames: all, remap };
  }
  if (requested.length === 0) throw new DatasetError(`${field} must not be empty`, { field });
  const unknown = requested.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    throw new DatasetError(
      `${field}: unknown class ${unknown.map((n) => `'${n}'`).join(', ')}; valid: ${all
        .map((n) => `'${n}'`)
        .join(', ')}`,
      { field },
    );
  }
  const wanted = new Set(requested);
  const classNames: string[] = [];
  all.forEach((name, i) => {
    if (wanted.has(name)) remap[i] = classNames.push(name) - 1;
  });
  return { classNames, remap };
}

/**
 * Form state for fields described by the training-config schema. The fields themselves (paths,
 * kinds, ranges, defaults, descriptions) come from gan-core's walker, the one the trainer CLI's
 * flags are built from too; this module adds what a form needs on top: nested values by path and
 * which fields apply to the current values.
 */
import { fieldsOf, type FieldSpec } from '@ganmod/gan-core/config';

export { fieldsOf, type FieldSpec };

type Primitive = string | number | boolean;

/** Reads a dotted path from a nested object. */
export function getPath(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (node, key) =>
        node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined,
      obj,
    );
}

/** Returns a copy of `obj` with `path` set (or removed when `value` is undefined). */
export function setPath(
  obj: Record<string, unknown>,
  path: string,
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  if (!head) return obj;
  const copy = { ...obj };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  const child =
    copy[head] && typeof copy[head] === 'object' ? (copy[head] as Record<string, unknown>) : {};
  const next = setPath(child, rest.join('.'), value);
  if (Object.keys(next).length === 0) delete copy[head];
  else copy[head] = next;
  return copy;
}

/** True when a field applies to the current values (its discriminator matches). */
export function isVisible(spec: FieldSpec, values: unknown): boolean {
  return !spec.when || spec.when.values.includes(getPath(values, spec.when.path) as Primitive);
}

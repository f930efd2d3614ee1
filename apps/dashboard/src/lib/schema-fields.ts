/**
 * Turns a zod object schema into form field descriptors, so the launch form follows the shared
 * training-config schema: a new or changed field in the schema shows up in the form by itself.
 */
import { z } from 'zod';

export type FieldSpec =
  | {
      kind: 'number';
      path: string;
      min: number | null;
      max: number | null;
      int: boolean;
      defaultValue: unknown;
      optional: boolean;
    }
  | { kind: 'enum'; path: string; options: string[]; defaultValue: unknown; optional: boolean }
  | { kind: 'multi'; path: string; options: string[]; defaultValue: unknown; optional: boolean }
  | { kind: 'boolean'; path: string; defaultValue: unknown; optional: boolean }
  | { kind: 'text'; path: string; defaultValue: unknown; optional: boolean };

/** Peels default/prefault/optional/pipe wrappers; returns the core schema and its default. */
function unwrap(schema: z.ZodType): { core: z.ZodType; defaultValue: unknown; optional: boolean } {
  let current: z.ZodType = schema;
  let defaultValue: unknown = undefined;
  let optional = false;
  for (let i = 0; i < 10; i++) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault) {
      defaultValue ??= (current.def as { defaultValue: unknown }).defaultValue;
      optional = true;
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodOptional) {
      optional = true;
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      // preprocess(fn, inner) puts the real schema on the out side; transform(...) on the in side.
      const { in: input, out } = current.def as unknown as { in: z.ZodType; out: z.ZodType };
      current = input instanceof z.ZodTransform ? out : input;
    } else break;
  }
  return { core: current, defaultValue, optional };
}

/** Flattens `schema` into field specs with dotted paths (`dataset.kind`, `watchdog.enabled`). */
export function fieldsOf(schema: z.ZodObject, prefix = ''): FieldSpec[] {
  const out: FieldSpec[] = [];
  for (const [key, value] of Object.entries(schema.shape)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const { core, defaultValue, optional } = unwrap(value as z.ZodType);
    if (core instanceof z.ZodObject) out.push(...fieldsOf(core, path));
    else if (core instanceof z.ZodNumber) {
      out.push({
        kind: 'number',
        path,
        min: core.minValue,
        max: core.maxValue,
        int: core.isInt,
        defaultValue,
        optional,
      });
    } else if (core instanceof z.ZodEnum)
      out.push({ kind: 'enum', path, options: core.options.map(String), defaultValue, optional });
    else if (core instanceof z.ZodArray && core.element instanceof z.ZodEnum) {
      out.push({
        kind: 'multi',
        path,
        options: core.element.options.map(String),
        defaultValue,
        optional,
      });
    } else if (core instanceof z.ZodBoolean)
      out.push({ kind: 'boolean', path, defaultValue, optional });
    else out.push({ kind: 'text', path, defaultValue, optional });
  }
  return out;
}

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

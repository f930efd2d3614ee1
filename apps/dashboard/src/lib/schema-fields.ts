/**
 * Turns a zod object schema into form field descriptors, so the launch form follows the shared
 * training-config schema: a new or changed field in the schema shows up in the form by itself.
 */
import { z } from 'zod';

type Primitive = string | number | boolean;

interface Common {
  path: string;
  defaultValue: unknown;
  optional: boolean;
  /** Shown only when the field at `path` holds one of `values` (discriminated unions). */
  when?: { path: string; values: Primitive[] };
}

export type FieldSpec =
  | (Common & { kind: 'number'; min: number | null; max: number | null; int: boolean })
  | (Common & { kind: 'enum'; options: Primitive[] })
  | (Common & { kind: 'multi'; options: string[] })
  | (Common & { kind: 'boolean' })
  | (Common & { kind: 'text'; list?: boolean });

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

/** The literal values of a union of literals (`1 | 3`), or null when it is something else. */
function literalOptions(schema: z.ZodType): Primitive[] | null {
  if (schema instanceof z.ZodLiteral) return [...schema.values] as Primitive[];
  if (schema instanceof z.ZodUnion) {
    const all = (schema.options as z.ZodType[]).map(literalOptions);
    return all.every((o) => o !== null) ? all.flat() : null;
  }
  return null;
}

function fieldOf(path: string, schema: z.ZodType): FieldSpec[] {
  const { core, defaultValue, optional } = unwrap(schema);
  const base = { path, defaultValue, optional };
  if (core instanceof z.ZodObject) return fieldsOf(core, path);
  if (core instanceof z.ZodDiscriminatedUnion) return unionFields(path, core);
  if (core instanceof z.ZodNumber)
    return [{ ...base, kind: 'number', min: core.minValue, max: core.maxValue, int: core.isInt }];
  if (core instanceof z.ZodEnum)
    return [{ ...base, kind: 'enum', options: core.options.map(String) }];
  if (core instanceof z.ZodArray && core.element instanceof z.ZodEnum)
    return [{ ...base, kind: 'multi', options: core.element.options.map(String) }];
  if (core instanceof z.ZodBoolean) return [{ ...base, kind: 'boolean' }];
  if (core instanceof z.ZodArray && core.element instanceof z.ZodString)
    return [{ ...base, kind: 'text', list: true }];
  const literals = literalOptions(core);
  if (literals) return [{ ...base, kind: 'enum', options: literals }];
  return [{ ...base, kind: 'text' }];
}

/**
 * A discriminated union becomes a select for its discriminator plus every option's other fields,
 * each shown only for the discriminator values whose option has it.
 */
function unionFields(path: string, union: z.ZodDiscriminatedUnion): FieldSpec[] {
  const key = (union.def as unknown as { discriminator: string }).discriminator;
  const discriminatorPath = `${path}.${key}`;
  const options = union.options as unknown as z.ZodObject[];
  const values = options.flatMap((o) => literalOptions(o.shape[key] as z.ZodType) ?? []);
  const merged = new Map<string, FieldSpec>();
  for (const option of options) {
    const value = literalOptions(option.shape[key] as z.ZodType)?.[0];
    if (value === undefined) continue;
    for (const [name, schema] of Object.entries(option.shape)) {
      if (name === key) continue;
      for (const field of fieldOf(`${path}.${name}`, schema as z.ZodType)) {
        const seen = merged.get(field.path);
        if (seen?.when) seen.when.values.push(value);
        else
          merged.set(field.path, { ...field, when: { path: discriminatorPath, values: [value] } });
      }
    }
  }
  return [
    {
      path: discriminatorPath,
      kind: 'enum',
      options: values,
      defaultValue: undefined,
      optional: false,
    },
    ...merged.values(),
  ];
}

/** Flattens `schema` into field specs with dotted paths (`dataset.kind`, `watchdog.enabled`). */
export function fieldsOf(schema: z.ZodObject, prefix = ''): FieldSpec[] {
  return Object.entries(schema.shape).flatMap(([key, value]) =>
    fieldOf(prefix ? `${prefix}.${key}` : key, value as z.ZodType),
  );
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

/** True when a field applies to the current values (its discriminator matches). */
export function isVisible(spec: FieldSpec, values: unknown): boolean {
  return !spec.when || spec.when.values.includes(getPath(values, spec.when.path) as Primitive);
}

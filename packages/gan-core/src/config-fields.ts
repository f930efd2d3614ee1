/**
 * Turns a zod object schema into field descriptors (dotted path, kind, enum values, range,
 * default, description), so everything that presents the training config (the dashboard's launch
 * form, the trainer CLI's `train` flags) follows the schema: a new or changed field shows up in
 * each by itself. Imports zod only: browser bundles use it through `@ganmod/gan-core/config`.
 */
import { z } from 'zod';

type Primitive = string | number | boolean;

interface Common {
  /** Dotted path in the config (`steps`, `dataset.kind`, `watchdog.enabled`). */
  path: string;
  defaultValue: unknown;
  optional: boolean;
  /** The schema's own `.describe()` text: the one-line help every presentation shows. */
  description?: string;
  /** Shown only when the field at `path` holds one of `values` (discriminated unions). */
  when?: { path: string; values: Primitive[] };
}

/** One config field as the schema declares it. */
export type FieldSpec =
  | (Common & {
      kind: 'number';
      min: number | null;
      /** True when `min` itself is refused (`.gt(min)`, e.g. a learning rate above 0). */
      minExclusive: boolean;
      max: number | null;
      int: boolean;
    })
  | (Common & { kind: 'enum'; options: Primitive[] })
  | (Common & { kind: 'multi'; options: string[] })
  | (Common & { kind: 'boolean' })
  | (Common & { kind: 'text'; list?: boolean });

/** Peels default/prefault/optional/pipe wrappers; returns the core schema, default and description. */
function unwrap(schema: z.ZodType): {
  core: z.ZodType;
  defaultValue: unknown;
  optional: boolean;
  description: string | undefined;
} {
  let current: z.ZodType = schema;
  let defaultValue: unknown = undefined;
  let optional = false;
  let description: string | undefined = schema.description;
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
    description ??= current.description;
  }
  return { core: current, defaultValue, optional, description };
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
  const { core, defaultValue, optional, description } = unwrap(schema);
  const base = {
    path,
    defaultValue,
    optional,
    ...(description === undefined ? {} : { description }),
  };
  if (core instanceof z.ZodObject) return fieldsOf(core, path);
  if (core instanceof z.ZodDiscriminatedUnion) return unionFields(path, core, description);
  if (core instanceof z.ZodNumber)
    return [
      {
        ...base,
        kind: 'number',
        min: core.minValue,
        minExclusive: 'exclusiveMinimum' in z.toJSONSchema(core),
        max: core.maxValue,
        int: core.isInt,
      },
    ];
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
 * A discriminated union becomes a select for its discriminator (described by the union's own
 * description) plus every option's other fields, each shown only for the discriminator values
 * whose option has it.
 */
function unionFields(
  path: string,
  union: z.ZodDiscriminatedUnion,
  description: string | undefined,
): FieldSpec[] {
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
      ...(description === undefined ? {} : { description }),
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

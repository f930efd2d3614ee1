/**
 * The `train` command's config flags, generated from gan-core's training-config schema: one flag
 * per field (`--batch-size`, `--lr-g`, `--watchdog-enabled`), its help the schema's description,
 * enum values, range and default. Values are handed to the schema as they are typed (numbers
 * converted), so the schema alone decides what is valid and names every bad field.
 *
 * Naming: a top-level field is its name in kebab case; the dataset's kind is `--dataset`, the
 * other dataset fields drop the `dataset.` prefix (`--limit`, `--path`) unless a top-level field
 * has the same name (`--dataset-seed`); other nested fields keep their parent (`--watchdog-enabled`).
 */
import { Option } from 'commander';
import { trainConfigFields, type FieldSpec } from '@ganmod/gan-core/config';

/** A config field and the flag that sets it. */
export interface ConfigFlag {
  field: FieldSpec;
  /** `--batch-size` */
  flag: string;
  /** The key commander stores its value under (`batchSize`). */
  attribute: string;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function flagName(path: string, topLevel: ReadonlySet<string>): string {
  if (path === 'dataset.kind') return 'dataset';
  const [parent, ...rest] = path.split('.');
  const name = rest.join('.');
  if (parent === 'dataset' && !topLevel.has(name)) return kebab(name);
  return [parent, ...rest].map((part) => kebab(part ?? '')).join('-');
}

function valueName(field: FieldSpec): string {
  switch (field.kind) {
    case 'number':
      return field.int ? 'n' : 'x';
    case 'enum':
      return ['dataset.kind', 'model', 'loss'].includes(field.path) ? 'kind' : 'value';
    case 'multi':
      return 'list';
    case 'boolean':
      return 'bool';
    default:
      return field.kind === 'text' && field.list === true ? 'list' : 'text';
  }
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(',');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A bound worth printing: zod's `int()` bounds of ±MAX_SAFE_INTEGER say "no limit". */
function bound(value: number | null): number | null {
  return value === null || Math.abs(value) >= Number.MAX_SAFE_INTEGER ? null : value;
}

/**
 * The help line: description, then the field's path, what the schema allows, its default and,
 * for a field only some dataset kinds have, those kinds.
 */
export function flagHelp(field: FieldSpec, fields: readonly FieldSpec[] = []): string {
  const facts: string[] = [];
  if (field.kind === 'enum' || field.kind === 'multi') facts.push(field.options.join(' | '));
  if (field.kind === 'boolean') facts.push('true | false');
  if (field.kind === 'number') {
    const [min, max] = [bound(field.min), bound(field.max)];
    const above = field.minExclusive ? `> ${min}` : `>= ${min}`;
    const range =
      min !== null && max !== null
        ? field.minExclusive
          ? `${above} and <= ${max}`
          : `${min}..${max}`
        : min !== null
          ? above
          : max !== null
            ? `<= ${max}`
            : '';
    facts.push([field.int ? 'integer' : 'number', range].filter(Boolean).join(' '));
  }
  if (field.defaultValue !== undefined) facts.push(`default ${formatDefault(field.defaultValue)}`);
  const when = field.when;
  const discriminator = when && fields.find((f) => f.path === when.path);
  const everywhere =
    discriminator?.kind === 'enum' && discriminator.options.length === when?.values.length;
  if (when && !everywhere) facts.push(`only ${when.path} ${when.values.join(', ')}`);
  const description = field.description ?? field.path;
  return `${description} [${[field.path, ...facts].join('; ')}]`;
}

/** Every training-config field as a `train` flag, in schema order. */
export function trainConfigFlags(): ConfigFlag[] {
  const fields = trainConfigFields();
  const topLevel = new Set(fields.filter((f) => !f.path.includes('.')).map((f) => f.path));
  return fields.map((field) => {
    const flag = `--${flagName(field.path, topLevel)}`;
    return { field, flag, attribute: new Option(flag).attributeName() };
  });
}

/** commander options for {@link trainConfigFlags}: no defaults (the schema fills those in). */
export function trainConfigOptions(): Option[] {
  const flags = trainConfigFlags();
  const fields = flags.map((f) => f.field);
  return flags.map(
    ({ field, flag }) => new Option(`${flag} <${valueName(field)}>`, flagHelp(field, fields)),
  );
}

/** A number, when the text is one; else the text, for the schema to reject by name. */
function num(value: string): number | string {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}

/** A flag's text as the value the schema expects for `field`. */
export function flagValue(field: FieldSpec, text: string): unknown {
  switch (field.kind) {
    case 'number':
      return num(text);
    case 'enum':
      // Number literals (channels 1 | 3) arrive as text.
      return field.options.find((o) => String(o) === text) ?? text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'text':
      return field.list === true
        ? text
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : text;
    default:
      return text; // multi: the schema takes 'none' or a comma-separated list
  }
}

'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useMemo, useState, type FormEvent } from 'react';
import { PageHeader } from '~/components/page-header';
import { Alert } from '~/components/ui/alert';
import { Button } from '~/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { Field, Input, Select } from '~/components/ui/input';
import { fieldsOf, getPath, isVisible, setPath, type FieldSpec } from '~/lib/schema-fields';
import { issuesByPath, trainConfigSchema } from '~/lib/train-config';
import { useTRPC } from '~/trpc/client';
import { groups, labels } from './field-help';
import { presetConfig, presetOptions } from './launch-presets';

const fields = fieldsOf(trainConfigSchema);
const fieldByPath = new Map(fields.map((f) => [f.path, f]));
// Fields the schema has but the grouping does not know yet still get a place.
const ungrouped = fields
  .filter((f) => !groups.some((g) => g.paths.includes(f.path)))
  .map((f) => f.path);
const allGroups = ungrouped.length ? [...groups, { title: 'Other', paths: ungrouped }] : groups;

function placeholder(spec: FieldSpec): string {
  return spec.defaultValue === undefined
    ? ''
    : `default ${
        Array.isArray(spec.defaultValue)
          ? spec.defaultValue.join(',') || 'none'
          : typeof spec.defaultValue === 'string'
            ? spec.defaultValue
            : JSON.stringify(spec.defaultValue)
      }`;
}

function rangeHint(spec: FieldSpec): string | undefined {
  if (spec.kind !== 'number') return undefined;
  const bounds = [
    spec.min !== null ? `${spec.minExclusive ? '>' : '≥'} ${spec.min}` : null,
    spec.max !== null ? `≤ ${spec.max}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return [spec.int ? 'integer' : null, bounds || null].filter(Boolean).join(', ') || undefined;
}

/**
 * The launch form, built from the training-config schema: every field, its range and default
 * come from the schema, and the same schema validates as you type and again on the server.
 */
export function LaunchForm({
  initialName,
  initialConfig,
  initialPreset,
  parentId,
}: {
  initialName: string;
  initialConfig: Record<string, unknown>;
  /** The named preset `initialConfig` is (none for a clone). */
  initialPreset?: string | undefined;
  parentId?: string | undefined;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState(initialName);
  const [config, setConfig] = useState<Record<string, unknown>>(initialConfig);
  // The preset the config started from; editing a field keeps it selected as the starting point.
  const [preset, setPreset] = useState(initialPreset ?? '');
  // Raw text of number inputs, so "0." or "" can be typed without being coerced away.
  const [raw, setRaw] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const create = useMutation(trpc.runs.create.mutationOptions());
  const clone = useMutation(trpc.runs.clone.mutationOptions());

  const parsed = useMemo(() => trainConfigSchema.safeParse(config), [config]);
  const issues = parsed.success ? {} : issuesByPath(parsed.error);
  const show = (path: string) => (submitted || touched.has(path) ? issues[path] : undefined);
  const nameError = (submitted || touched.has('name')) && !name.trim() ? 'Name the run' : undefined;

  function update(path: string, value: unknown) {
    setConfig((c) => setPath(c, path, value));
    setTouched((t) => new Set(t).add(path));
  }

  function applyPreset(name: string) {
    setPreset(name);
    if (name === '') return;
    setConfig(presetConfig(name));
    setRaw({});
    setTouched(new Set());
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    if (!parsed.success || !name.trim()) return;
    const onSuccess = (run: { id: string }) => router.push(`/runs/${run.id}`);
    if (parentId) clone.mutate({ id: parentId, name: name.trim(), config }, { onSuccess });
    else create.mutate({ name: name.trim(), config }, { onSuccess });
  }

  function control(spec: FieldSpec) {
    const id = `cfg-${spec.path}`;
    const value = getPath(config, spec.path);
    const invalid = !!show(spec.path);
    switch (spec.kind) {
      case 'enum': {
        // Options are matched by index so number and boolean literals keep their type.
        const index = spec.options.findIndex((o) => o === value);
        return (
          <Select
            id={id}
            value={index >= 0 ? String(index) : ''}
            aria-invalid={invalid}
            onChange={(e) =>
              update(
                spec.path,
                e.target.value === '' ? undefined : spec.options[Number(e.target.value)],
              )
            }
          >
            <option value="">{spec.optional ? placeholder(spec) || 'default' : 'Choose…'}</option>
            {spec.options.map((o, i) => (
              <option key={String(o)} value={String(i)}>
                {String(o)}
              </option>
            ))}
          </Select>
        );
      }
      case 'multi': {
        const list = Array.isArray(value) ? (value as string[]) : [];
        return (
          <div id={id} className="flex flex-wrap gap-3 pt-1">
            {spec.options.map((o) => (
              <label key={o} className="flex items-center gap-1.5 text-sm">
                <input
                  type="checkbox"
                  checked={list.includes(o)}
                  onChange={(e) =>
                    update(spec.path, e.target.checked ? [...list, o] : list.filter((x) => x !== o))
                  }
                />
                {o}
              </label>
            ))}
          </div>
        );
      }
      case 'boolean':
        return (
          <label className="flex items-center gap-2 pt-1 text-sm">
            <input
              id={id}
              type="checkbox"
              checked={typeof value === 'boolean' ? value : spec.defaultValue === true}
              onChange={(e) => update(spec.path, e.target.checked)}
            />
            {value === undefined ? 'default' : value ? 'on' : 'off'}
          </label>
        );
      case 'number':
        return (
          <Input
            id={id}
            inputMode="decimal"
            placeholder={placeholder(spec)}
            aria-invalid={invalid}
            value={raw[spec.path] ?? (typeof value === 'number' ? String(value) : '')}
            onChange={(e) => {
              const text = e.target.value;
              setRaw((r) => ({ ...r, [spec.path]: text }));
              // Non-numbers go to the schema as strings so it reports them ("must be a number").
              update(
                spec.path,
                text.trim() === '' ? undefined : Number.isNaN(Number(text)) ? text : Number(text),
              );
            }}
          />
        );
      default: {
        // List fields (e.g. classes) are typed comma-separated.
        const list = spec.kind === 'text' && spec.list === true;
        const text = Array.isArray(value)
          ? value.join(', ')
          : typeof value === 'string'
            ? value
            : '';
        return (
          <Input
            id={id}
            aria-invalid={invalid}
            placeholder={list ? 'comma-separated' : undefined}
            value={raw[spec.path] ?? text}
            onChange={(e) => {
              const t = e.target.value;
              setRaw((r) => ({ ...r, [spec.path]: t }));
              const parts = t
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean);
              update(spec.path, t.trim() === '' ? undefined : list ? parts : t);
            }}
          />
        );
      }
    }
  }

  const serverError = create.error ?? clone.error;
  return (
    <form onSubmit={onSubmit} noValidate className="max-w-5xl space-y-4" data-testid="launch-form">
      <PageHeader
        title={parentId ? 'Clone a run' : 'Launch a training run'}
        description="The run is queued; a trainer worker picks it up. Fields left empty use the schema's default."
        actions={
          <Button type="submit" disabled={create.isPending || clone.isPending}>
            {parentId ? 'Queue the clone' : 'Queue the run'}
          </Button>
        }
      />
      {serverError ? <Alert tone="error">{serverError.message}</Alert> : null}
      {submitted && !parsed.success ? (
        <Alert tone="error">
          Fix the highlighted fields: {Object.keys(issues).length} need attention.
        </Alert>
      ) : null}
      <Card>
        <CardContent className="pt-4">
          <Field label="Run name" htmlFor="run-name" error={nameError}>
            <Input
              id="run-name"
              value={name}
              aria-invalid={!!nameError}
              onChange={(e) => setName(e.target.value)}
              onBlur={() => setTouched((t) => new Set(t).add('name'))}
              placeholder="e.g. mnist-dcgan-baseline"
            />
          </Field>
          <Field
            label="Preset"
            htmlFor="run-preset"
            hint={
              presetOptions.find((p) => p.name === preset)?.description ??
              'Start from a named preset (the same as ganmod-trainer train --preset).'
            }
          >
            <Select id="run-preset" value={preset} onChange={(e) => applyPreset(e.target.value)}>
              <option value="">{parentId ? 'the cloned run' : 'Choose…'}</option>
              {presetOptions.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </Select>
          </Field>
        </CardContent>
      </Card>
      {allGroups.map((group) => {
        const shown = group.paths.filter((path) => {
          const spec = fieldByPath.get(path);
          return spec !== undefined && isVisible(spec, config);
        });
        if (shown.length === 0) return null;
        return (
          <Card key={group.title}>
            <CardHeader>
              <CardTitle>{group.title}</CardTitle>
            </CardHeader>
            <CardContent className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
              {shown.map((path) => {
                const spec = fieldByPath.get(path);
                if (!spec) return null;
                return (
                  <Field
                    key={path}
                    label={labels[path] ?? path}
                    htmlFor={`cfg-${path}`}
                    error={show(path)}
                    hint={[spec.description, rangeHint(spec)].filter(Boolean).join(' ')}
                  >
                    {control(spec)}
                  </Field>
                );
              })}
            </CardContent>
          </Card>
        );
      })}
      {issues['(root)'] ? <Alert tone="error">{issues['(root)']}</Alert> : null}
    </form>
  );
}

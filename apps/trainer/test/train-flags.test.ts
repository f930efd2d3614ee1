// The `train` command's flags and presets come from gan-core's schema: these tests keep them from
// drifting apart (every field has a flag in `train --help`) and pin how a preset, a config file and
// explicit flags combine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRAINING_PRESETS, parseTrainConfig, trainConfigFields } from '@ganmod/gan-core';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/commands/train.js';
import { trainConfigFlags } from '../src/commands/train-flags.js';
import { CliError, ExitCode } from '../src/exit-codes.js';

const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');

function runCli(args: string[]) {
  const out = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { status: out.status, output: `${out.stdout}${out.stderr}` };
}

describe('train flags are generated from the training-config schema', () => {
  const fields = trainConfigFields();
  const flags = trainConfigFlags();
  // commander wraps long help lines; the text is compared with whitespace collapsed.
  const help = runCli(['train', '--help']).output.replace(/\s+/g, ' ');

  it('every schema field has a flag in `train --help`, with its path and its description', () => {
    expect(fields.length).toBeGreaterThan(30);
    expect(flags.map((f) => f.field.path)).toEqual(fields.map((f) => f.path));
    for (const { field, flag } of flags) {
      expect(field.description, `${field.path} has no .describe() in the schema`).toBeTruthy();
      expect(help).toContain(`${flag} <`);
      expect(help).toContain(`${field.description} [${field.path}`);
    }
  });

  it('enum values, ranges and defaults in the help are the schema’s', () => {
    expect(help).toContain(
      '[model; mlp | dcgan | cdcgan | toy-mlp | vae | cvae | resnet-cgan | cmlp; default dcgan]',
    );
    expect(help).toContain('--beta <');
    expect(help).toContain('[batchSize; integer 1..1024; default 64]');
    expect(help).toContain('[steps; integer 1..10000000; default 5000]');
    // gt(0): zero is refused, so the help must not say 0..1.
    expect(help).toContain('[lrG; number > 0 and <= 1; default 0.0004]');
    for (const preset of TRAINING_PRESETS) expect(help).toContain(preset.name);
  });

  it('keeps the flag names scripts already use, each flag unique', () => {
    const names = flags.map((f) => f.flag);
    expect(new Set(names).size).toBe(names.length);
    for (const kept of [
      '--dataset',
      '--limit',
      '--model',
      '--loss',
      '--steps',
      '--batch-size',
      '--lr-g',
      '--lr-d',
      '--seed',
      '--sample-every',
      '--checkpoint-every',
      '--eval-every',
    ])
      expect(names).toContain(kept);
    for (const reserved of ['--config', '--preset', '--name', '--progress', '--json'])
      expect(names).not.toContain(reserved);
  });
});

describe('--preset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ganmod-train-flags-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the named preset; fields it does not set keep the schema defaults', () => {
    const preset = TRAINING_PRESETS.find((p) => p.name === 'ring8-toy')!;
    expect(buildConfig({ preset: 'ring8-toy' })).toEqual(parseTrainConfig(preset.config));
    expect(buildConfig({ preset: 'mnist-mlp-quick' })).toMatchObject({
      dataset: { kind: 'mnist' },
      model: 'mlp',
      steps: 2000,
      sampleEvery: 200,
      batchSize: 64,
    });
  });

  it('explicit flags override the preset, nested ones included', () => {
    const config = buildConfig({
      preset: 'ring8-toy',
      steps: '10',
      lrG: '0.001',
      datasetSeed: '7',
      watchdogEnabled: 'false',
    });
    expect(config).toMatchObject({
      model: 'toy-mlp',
      latentDim: 8,
      steps: 10,
      lrG: 1e-3,
      lrD: 2e-3,
      dataset: { kind: 'ring8', seed: 7 },
      watchdog: { enabled: false },
    });
    // --dataset starts a new dataset spec: the preset's dataset fields do not carry over.
    expect(
      buildConfig({ preset: 'mnist-mlp-quick', dataset: 'fashion-mnist', limit: '100' }).dataset,
    ).toEqual({ kind: 'fashion-mnist', split: 'train', limit: 100 });
  });

  it('trains a VAE from flags: --model vae --beta, or the cvae preset', () => {
    expect(
      buildConfig({ dataset: 'mnist', model: 'vae', beta: '0.5', latentDim: '16' }),
    ).toMatchObject({ model: 'vae', beta: 0.5, latentDim: 16 });
    expect(buildConfig({ preset: 'mnist-cvae', steps: '10' })).toMatchObject({
      model: 'cvae',
      beta: 1,
      steps: 10,
    });
    // The adversarial flags a VAE ignores are refused, naming the field.
    expect(() => buildConfig({ dataset: 'mnist', model: 'vae', loss: 'hinge' })).toThrow(
      /loss: model vae trains on the ELBO/,
    );
  });

  it('a config file overrides the preset, and flags override both', () => {
    const file = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify({ dataset: { kind: 'mnist' }, steps: 300, batchSize: 16 }));
    expect(buildConfig({ preset: 'mnist-mlp-quick', config: file, batchSize: '8' })).toMatchObject({
      model: 'mlp',
      steps: 300,
      batchSize: 8,
      sampleEvery: 200,
    });
  });

  it('an unknown preset is a usage error naming the known ones, before any work', () => {
    expect(() => buildConfig({ preset: 'mnist-huge' })).toThrow(CliError);
    const run = runCli(['train', '--preset', 'mnist-huge']);
    expect(run.status).toBe(ExitCode.Usage);
    expect(run.output).toContain(
      `unknown preset 'mnist-huge' (one of ${TRAINING_PRESETS.map((p) => p.name).join(', ')})`,
    );
  });
});

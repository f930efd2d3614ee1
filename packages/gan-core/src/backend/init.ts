/**
 * Picks the fastest TF.js backend that works on this machine: tfjs-node (native TensorFlow),
 * then wasm (with the project's kernels), then the pure-JS cpu backend.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { installReductionGradients } from '../kernels/gradients.js';
import { loadNativeAddon } from '../kernels/native/addon.js';
import { registerWasmKernels } from '../kernels/register.js';
import { wasmBinaryPaths } from './wasm-paths.js';

/** Backends gan-core can run on, fastest first. */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
/** A TF.js backend name gan-core knows how to set up. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Environment variable that forces a backend (`tensorflow`, `wasm` or `cpu`). */
export const BACKEND_ENV = 'GANMOD_BACKEND';

/** What {@link initBackend} settled on. */
export interface BackendInfo {
  /** The active TF.js backend. */
  name: BackendName;
  /** Why this backend: forced by option/env, or which faster ones failed and why. */
  reason: string;
  /** Threads the backend computes with (for wasm with native kernels: OpenBLAS's threads). */
  threads: number;
  /**
   * wasm only: whether convolutions and matrix products run in the native OpenBLAS addon
   * (see `src/kernels/native/`), and why not when they do not; `onednn`: whether the addon runs
   * them on oneDNN (built against libdnnl) rather than OpenBLAS alone.
   */
  nativeKernels?: { active: boolean; reason?: string; onednn?: boolean };
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Force a backend; takes precedence over `GANMOD_BACKEND`. */
  backend?: BackendName;
  /** Receives one line naming the backend; default: stderr. `null` silences it. */
  logger?: ((line: string) => void) | null;
  /** Environment to read `GANMOD_BACKEND` from; default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** Parses a backend name, failing with the list of allowed ones. */
export function parseBackendName(value: string, source: string): BackendName {
  const name = value.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new Error(
    `${source}: unknown backend '${value}'; allowed: ${BACKEND_NAMES.join(', ')} (or unset for automatic)`,
  );
}

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 200);
}

// The specifier sits in a variable so TypeScript does not require the optional package's types.
const TFJS_NODE = '@tensorflow/tfjs-node';

interface SetUp {
  threads: number;
  nativeKernels?: BackendInfo['nativeKernels'];
}

async function setUp(name: BackendName): Promise<SetUp> {
  switch (name) {
    case 'tensorflow': {
      // Installed is not working: without its native library the import throws.
      await import(TFJS_NODE);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node did not initialise');
      await tf.ready();
      return { threads: availableParallelism() };
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(wasmBinaryPaths());
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
      await tf.ready();
      const kernels = registerWasmKernels();
      if (kernels.native) {
        const addon = loadNativeAddon().module!;
        const onednn = addon.onednn?.();
        return {
          threads: addon.getThreads(),
          nativeKernels: { active: true, ...(onednn === undefined ? {} : { onednn }) },
        };
      }
      return {
        threads: wasm.getThreadsCount(),
        nativeKernels: {
          active: false,
          ...(kernels.nativeReason === undefined ? {} : { reason: kernels.nativeReason }),
        },
      };
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      await tf.ready();
      return { threads: 1 };
    }
  }
}

async function pick(options: InitBackendOptions): Promise<BackendInfo> {
  const envValue = (options.env ?? process.env)[BACKEND_ENV];
  const forced =
    options.backend !== undefined
      ? { name: parseBackendName(options.backend, 'initBackend option'), why: 'option' }
      : envValue !== undefined && envValue.trim() !== ''
        ? { name: parseBackendName(envValue, BACKEND_ENV), why: `${BACKEND_ENV}=${envValue}` }
        : undefined;
  if (forced !== undefined) {
    try {
      const set = await setUp(forced.name);
      return { name: forced.name, reason: `forced by ${forced.why}`, ...set };
    } catch (error) {
      throw new Error(
        `backend '${forced.name}' (forced by ${forced.why}) failed: ${message(error)}`,
        { cause: error },
      );
    }
  }
  const failures: string[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      const set = await setUp(name);
      const reason = failures.length === 0 ? 'fastest available' : failures.join('; ');
      return { name, reason, ...set };
    } catch (error) {
      failures.push(`${name} unavailable (${message(error)})`);
    }
  }
  throw new Error(`no TF.js backend works: ${failures.join('; ')}`);
}

let settled: Promise<BackendInfo> | undefined;

/**
 * " (Cooperlake), convolutions and products on oneDNN": the OpenBLAS kernels the addon runs and
 * whether oneDNN serves the convolutions and products, for the log line; empty where unknown.
 */
function nativeSuffix(onednn: boolean | undefined): string {
  const core = loadNativeAddon().module?.blasCore?.();
  return (
    (core === undefined ? '' : ` (${core})`) +
    (onednn === true ? ', convolutions and products on oneDNN' : '')
  );
}

/**
 * Selects and initialises the TF.js backend: `tensorflow` (tfjs-node) if it loads, else `wasm`
 * with the project's kernels registered, else `cpu`. `GANMOD_BACKEND` or `options.backend` forces
 * one (a forced backend that fails is an error, not a fallback). Idempotent: later calls return
 * the first call's result; a later call forcing a different backend is an error.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  installReductionGradients();
  if (settled === undefined) {
    const pending = pick(options);
    settled = pending;
    pending.catch(() => {
      if (settled === pending) settled = undefined; // a failed attempt may be retried
    });
    const info = await pending;
    const log = options.logger === undefined ? defaultLogger : options.logger;
    const native =
      info.nativeKernels === undefined
        ? ''
        : info.nativeKernels.active
          ? `, native OpenBLAS kernels${nativeSuffix(info.nativeKernels.onednn)}`
          : `, wasm kernels only: ${info.nativeKernels.reason ?? 'native kernels off'}`;
    log?.(
      `gan-core: TF.js backend '${info.name}' (${info.threads} thread${info.threads === 1 ? '' : 's'}${native}): ${info.reason}`,
    );
    return info;
  }
  const info = await settled;
  const wanted = options.backend;
  if (wanted !== undefined && wanted !== info.name) {
    throw new Error(
      `initBackend: backend already initialised as '${info.name}', cannot switch to '${wanted}'`,
    );
  }
  return info;
}

function defaultLogger(line: string): void {
  process.stderr.write(`${line}\n`);
}

import { loadEnvironment } from '@ganmod/config';
import { initBackend } from '@ganmod/gan-core';
import { platformInputLimits, type InputLimits } from '@ganmod/moderation/contract';
import type { Logger } from 'pino';
import { localArtifactStore, type ArtifactStore } from './artifacts.js';

/** `GANMOD_DATA_DIR`, default `./data`, absolute (`@ganmod/config`). */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return loadEnvironment(env).dataDir;
}

/** `GANMOD_ARTIFACTS_DIR`, else `<GANMOD_DATA_DIR>/artifacts`, absolute. */
export function artifactsDir(env: NodeJS.ProcessEnv = process.env): string {
  return loadEnvironment(env).artifactsDir;
}

/** The submission API's input limits, with the image limit `GANMOD_MAX_UPLOAD_BYTES` may raise. */
export function submissionLimits(env: NodeJS.ProcessEnv = process.env): InputLimits {
  return platformInputLimits(loadEnvironment(env).maxUploadBytes);
}

/**
 * The artifact store: `GANMOD_ARTIFACTS_DIR`, else `<GANMOD_DATA_DIR>/artifacts`, the same root
 * the dashboard serves artifacts from.
 */
export function defaultArtifactStore(env: NodeJS.ProcessEnv = process.env): ArtifactStore {
  return localArtifactStore(loadEnvironment(env).artifactsDir);
}

/** Picks the TF.js backend once per process and logs the choice. */
export async function prepareBackend(log: Logger): Promise<void> {
  const info = await initBackend({ logger: null });
  // nativeKernels says whether gan-core's OpenBLAS kernels serve (and why not): a several-fold
  // difference in training speed.
  log.info(
    {
      backend: info.name,
      threads: info.threads,
      reason: info.reason,
      ...(info.nativeKernels === undefined ? {} : { nativeKernels: info.nativeKernels }),
    },
    'TF.js backend ready',
  );
}

import { resolve } from 'node:path';
import { initBackend } from '@ganmod/gan-core';
import type { Logger } from 'pino';
import { artifactRoot, localArtifactStore, type ArtifactStore } from './artifacts.js';

/** `GANMOD_DATA_DIR`, default `./data`, absolute. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.GANMOD_DATA_DIR?.trim() || './data');
}

/** The artifact store of this data directory. */
export function defaultArtifactStore(env: NodeJS.ProcessEnv = process.env): ArtifactStore {
  return localArtifactStore(artifactRoot(dataDir(env)));
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

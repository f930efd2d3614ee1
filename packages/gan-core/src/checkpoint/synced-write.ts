/**
 * Durable writes: the file's bytes (and a directory's entries) reach the disk before the caller
 * renames anything into place, so a crash leaves either the old file or the complete new one.
 * Checkpoints, generator exports and the trainer's artifact store all write through these.
 */
import { open } from 'node:fs/promises';

/** Writes `data` to `path` (created or truncated) and fsyncs it before returning. */
export async function writeFileSynced(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Fsyncs a directory, so entries just created or renamed in it survive a crash. */
export async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

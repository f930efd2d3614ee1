/**
 * Loads Prisma's schema engine compiled to WebAssembly (`@prisma/schema-engine-wasm`, the same
 * engine `prisma migrate` uses) and starts it on a driver adapter.
 *
 * Why: the Prisma CLI downloads a native schema engine binary for every migrate command, which
 * fails without internet. The wasm build ships in the npm package and talks to the database
 * through the same driver adapters as the client.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import type * as EngineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';

/** The engine's panic hook writes its message here (a global the wasm glue code expects). */
interface PanicRegistry {
  message: string;
  set_message(message: string): void;
}

declare global {
  var PRISMA_WASM_PANIC_REGISTRY: PanicRegistry | undefined;
}

/** The slice of the WebAssembly global used here (the project's `lib` has no DOM types). */
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

type Bindings = typeof EngineBindings;

let loaded: Promise<Bindings> | undefined;

/**
 * The engine arms timers (timeouts around database calls) that it never clears; left as they
 * are, each keeps the process alive ~10 s after the work is done. Unref them.
 */
function withUnrefTimers(imports: Record<string, unknown>): Record<string, unknown> {
  const patched: Record<string, unknown> = { ...imports };
  for (const [name, value] of Object.entries(imports)) {
    if (!name.startsWith('__wbg_setTimeout_') || typeof value !== 'function') continue;
    const original = value as (...args: unknown[]) => unknown;
    patched[name] = (...args: unknown[]) => {
      const timer = original(...args);
      (timer as { unref?: () => void }).unref?.();
      return timer;
    };
  }
  return patched;
}

/**
 * Instantiates the wasm module once per process. The package's own entry point imports the
 * `.wasm` file as an ES module, which Node 20 only allows behind `--experimental-wasm-modules`;
 * instantiating it by hand with the generated glue code as its import object avoids the flag.
 */
function loadWasm(): Promise<Bindings> {
  // Imported on first use, so importing @ganmod/db for its client costs nothing here.
  loaded ??= (async () => {
    const bindings = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
      message: '',
      set_message(message: string) {
        this.message = message;
      },
    };
    const require = createRequire(import.meta.url);
    const packageDir = dirname(require.resolve('@prisma/schema-engine-wasm'));
    const bytes = await readFile(join(packageDir, 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': withUnrefTimers(bindings),
    });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bindings;
  })();
  return loaded;
}

/** One Prisma schema file, as the engine takes it. */
export interface SchemaFile {
  path: string;
  content: string;
}

/**
 * Starts a schema engine for `schema` on the database behind `adapterFactory`.
 * `log` receives the engine's debug output (tracing JSON lines).
 */
export async function startSchemaEngine(
  schema: SchemaFile,
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  log: (line: string) => void = () => undefined,
): Promise<SchemaEngine> {
  const bindings = await loadWasm();
  return bindings.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    log,
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
}

/** The last panic message of the engine, if it panicked (its errors then say only "unreachable"). */
export function lastEnginePanic(): string | undefined {
  const message = globalThis.PRISMA_WASM_PANIC_REGISTRY?.message;
  return message ? message : undefined;
}

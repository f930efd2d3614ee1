import { dirname, join } from 'node:path';
import { access } from '~/lib/roles';
import { authorizeRequest } from '~/server/auth/session';
import { streamFile } from '~/server/files';

export const dynamic = 'force-dynamic';

/**
 * The WebAssembly binaries of TensorFlow.js' wasm backend, by the names its loader asks for
 * (plain, SIMD, threaded SIMD). Nothing else is served: the name is matched, never joined as given.
 */
const BINARIES = new Set([
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
]);

/**
 * The installed folder of package `name` (a dependency of the dashboard), resolved by Node at run
 * time. Node's `createRequire` is fetched where the bundler does not follow it: the bundler
 * replaces `require.resolve` of a literal with a module id and refuses one of a variable.
 */
function packageDir(name: string): string {
  const { createRequire } = process.getBuiltinModule('node:module');
  return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
}

/**
 * `GET /api/tfjs-wasm/:file`: the wasm backend's binaries for the generator playground (engineers),
 * served from the installed package so the browser needs no network beyond this server.
 */
export async function GET(req: Request, { params }: { params: Promise<{ file: string }> }) {
  const auth = await authorizeRequest(req, access.engineering);
  if (auth.error) return auth.error;
  const { file } = await params;
  if (!BINARIES.has(file))
    return Response.json(
      { error: `'${file}' is not a binary of the TensorFlow.js wasm backend.` },
      { status: 404 },
    );
  // The files change only with the package's version: a day of caching is safe.
  return streamFile(
    join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist', file),
    'application/wasm',
    86_400,
  );
}

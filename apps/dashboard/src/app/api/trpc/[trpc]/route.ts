import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { refuseForeignOrigin } from '~/server/http/origin-check';
import { appRouter } from '~/server/root';
import { createContext } from '~/server/trpc';

export const dynamic = 'force-dynamic';

function handler(req: Request) {
  // Mutations arrive as POST (tRPC refuses them over GET): they must come from a trusted origin.
  const refusal = refuseForeignOrigin(req);
  if (refusal) return refusal;
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => createContext(req),
  });
}

export { handler as GET, handler as POST };

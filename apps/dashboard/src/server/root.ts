import { systemRouter } from './routers/system';
import { router } from './trpc';

/** The dashboard's whole API. */
export const appRouter = router({
  system: systemRouter,
});

export type AppRouter = typeof appRouter;

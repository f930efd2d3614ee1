import { accountRouter } from './routers/account';
import { apiKeysRouter } from './routers/api-keys';
import { bankRouter } from './routers/bank';
import { modelsRouter } from './routers/models';
import { decisionsRouter, reviewQueueRouter } from './routers/review-queue';
import { runsRouter } from './routers/runs';
import { systemRouter } from './routers/system';
import { usersRouter } from './routers/users';
import { workerJobsRouter } from './routers/worker-jobs';
import { webhooksRouter } from './routers/webhooks';
import { router } from './trpc';

/** The dashboard's whole API. Every procedure is built by `protectedProcedure(roles)`. */
export const appRouter = router({
  system: systemRouter,
  account: accountRouter,
  users: usersRouter,
  apiKeys: apiKeysRouter,
  reviewQueue: reviewQueueRouter,
  decisions: decisionsRouter,
  bank: bankRouter,
  runs: runsRouter,
  models: modelsRouter,
  workerJobs: workerJobsRouter,
  webhooks: webhooksRouter,
});

export type AppRouter = typeof appRouter;

import { toNextJsHandler } from 'better-auth/next-js';
import { getAuth } from '~/server/auth/auth';

export const dynamic = 'force-dynamic';

/** better-auth's endpoints (sign-in, sign-out, session), built on first request. */
export function GET(req: Request) {
  return toNextJsHandler(getAuth()).GET(req);
}

export function POST(req: Request) {
  return toNextJsHandler(getAuth()).POST(req);
}

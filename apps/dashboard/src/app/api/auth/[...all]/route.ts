import { toNextJsHandler } from 'better-auth/next-js';
import { z } from 'zod';
import { getAuth } from '~/server/auth/auth';
import { isServedAuthEndpoint } from '~/server/auth/endpoints';
import { signInThrottle } from '~/server/auth/throttle-instance';
import { clientAddress } from '~/server/http/client-address';
import { refuseForeignOrigin } from '~/server/http/origin-check';
import { bodyTooLarge, readCappedText } from '~/server/http/read-body';

export const dynamic = 'force-dynamic';

const SIGN_IN = '/api/auth/sign-in/email';

function notServed(pathname: string): Response {
  return Response.json({ error: `${pathname} is not available.` }, { status: 404 });
}

/** better-auth's endpoints (sign-in, sign-out, session), built on first request. */
export function GET(req: Request) {
  const { pathname } = new URL(req.url);
  if (!isServedAuthEndpoint('GET', pathname)) return notServed(pathname);
  return toNextJsHandler(getAuth()).GET(req);
}

export async function POST(req: Request) {
  const refusal = refuseForeignOrigin(req);
  if (refusal) return refusal;
  const { pathname } = new URL(req.url);
  if (!isServedAuthEndpoint('POST', pathname)) return notServed(pathname);
  const handle = toNextJsHandler(getAuth()).POST;
  if (pathname !== SIGN_IN) return handle(req);
  return throttledSignIn(req, handle);
}

const signInBody = z.object({ email: z.string() });

/** Sign-in behind the per-address and per-account throttle (see sign-in-throttle.ts). */
async function throttledSignIn(
  req: Request,
  handle: (req: Request) => Promise<Response>,
): Promise<Response> {
  const text = await readCappedText(req);
  if (text === null) return bodyTooLarge();
  let account = '';
  try {
    account = signInBody.parse(JSON.parse(text)).email.trim().toLowerCase();
  } catch {
    // better-auth answers the malformed body itself.
  }
  const decision = signInThrottle().begin(clientAddress(req), account);
  if (!decision.allowed) {
    const message = `${decision.reason} Try again in ${decision.retryAfterSeconds} s.`;
    return Response.json(
      { error: message, message, retryAfterSeconds: decision.retryAfterSeconds },
      { status: 429, headers: { 'retry-after': String(decision.retryAfterSeconds) } },
    );
  }
  const res = await handle(
    new Request(req.url, { method: 'POST', headers: req.headers, body: text }),
  );
  // 401 is better-auth's "invalid email or password"; anything else but 200 judged no password.
  signInThrottle().finish(
    decision.attempt,
    res.status === 200 ? 'success' : res.status === 401 ? 'failure' : 'none',
  );
  return res;
}

import { RATE_WINDOW_MS } from '../../server/platform/rate-limit';

/**
 * Waits for the next rate-limit window when fewer than `marginMs` are left in this one, so a burst
 * of requests that a test counts falls inside one fixed window.
 */
export async function awayFromWindowEdge(marginMs = 15_000): Promise<void> {
  const into = Date.now() % RATE_WINDOW_MS;
  if (into > RATE_WINDOW_MS - marginMs)
    await new Promise((r) => setTimeout(r, RATE_WINDOW_MS - into + 100));
}

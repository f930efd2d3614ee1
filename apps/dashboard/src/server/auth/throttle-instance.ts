import 'server-only';
import { SignInThrottle } from './sign-in-throttle';

const globalForThrottle = globalThis as unknown as { ganmodSignInThrottle?: SignInThrottle };

/** The process-wide sign-in throttle (in memory: one per dashboard process). */
export function signInThrottle(): SignInThrottle {
  globalForThrottle.ganmodSignInThrottle ??= new SignInThrottle();
  return globalForThrottle.ganmodSignInThrottle;
}

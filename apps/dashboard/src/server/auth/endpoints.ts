/**
 * The better-auth endpoints the dashboard serves over HTTP; every other path under /api/auth
 * answers 404. Allow-listed (not deny-listed) so an upgrade that adds endpoints adds nothing here.
 * Refused on purpose: /update-user (display names are set by admins), /change-email, /delete-user,
 * /change-password and /set-password (account.changePassword applies the project's policy),
 * /sign-up/email (admins create accounts), password reset, email verification, social and
 * account-linking endpoints (not used), session listing and revocation (not offered in the UI).
 * Server code still calls any endpoint through `auth.api`.
 */
export const SERVED_AUTH_ENDPOINTS = {
  GET: ['/api/auth/get-session', '/api/auth/ok'],
  POST: ['/api/auth/sign-in/email', '/api/auth/sign-out'],
} as const;

/** The same refusals, also given to better-auth's own `disabledPaths` (belt and braces). */
export const DISABLED_AUTH_PATHS = [
  '/sign-up/email',
  '/update-user',
  '/change-email',
  '/change-password',
  '/set-password',
  '/delete-user',
  '/delete-user/callback',
  '/request-password-reset',
  '/reset-password',
  '/verify-email',
  '/send-verification-email',
  '/update-session',
  '/link-social',
  '/unlink-account',
  '/sign-in/social',
];

/** Whether `method` on `pathname` (exactly as sent, no normalisation) is served. */
export function isServedAuthEndpoint(method: string, pathname: string): boolean {
  const served: readonly string[] | undefined =
    SERVED_AUTH_ENDPOINTS[method as keyof typeof SERVED_AUTH_ENDPOINTS];
  return served?.includes(pathname) ?? false;
}

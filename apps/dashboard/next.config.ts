import type { NextConfig } from 'next';
import {
  NONCELESS_CONTENT_SECURITY_POLICY,
  STATIC_SECURITY_HEADERS,
} from './server/security-headers';

const csp = [{ key: 'Content-Security-Policy', value: NONCELESS_CONTENT_SECURITY_POLICY }];

const config: NextConfig = {
  // Native drivers and Prisma's generated client stay outside the bundle: they load their own files at run time.
  serverExternalPackages: [
    '@ganmod/db',
    '@prisma/client',
    '@prisma/adapter-libsql',
    '@prisma/adapter-pg',
    '@prisma/driver-adapter-utils',
    '@libsql/client',
    'libsql',
    'pg',
  ],
  poweredByHeader: false,
  // `npm test` type-checks the dashboard (tsc -p tsconfig.json, with the route types this build
  // generates), so the build does not check them a second time.
  typescript: { ignoreBuildErrors: true },
  // Turbopack's build cache lives in .next/cache, which turbo does not keep: on a fresh clone
  // (CI, a newcomer's npm start) writing and compacting it was ~50 s of a ~3 min build for nothing.
  experimental: { turbopackFileSystemCacheForBuild: false },
  reactStrictMode: true,
  // The fixed security headers on every response. Pages get their nonce-bearing CSP (and HSTS,
  // which depends on the runtime URL) from src/proxy.ts; the paths the proxy skips, here.
  headers: () =>
    Promise.resolve([
      {
        source: '/:path*',
        headers: Object.entries(STATIC_SECURITY_HEADERS).map(([key, value]) => ({ key, value })),
      },
      { source: '/api/:path*', headers: csp },
      { source: '/_next/:path*', headers: csp },
    ]),
};

export default config;

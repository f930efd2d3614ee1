import type { NextConfig } from 'next';
import { STATIC_SECURITY_HEADERS } from './src/lib/security-headers';

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
  reactStrictMode: true,
  // The fixed security headers, also on responses the proxy does not shape; the nonce-bearing
  // CSP and HSTS (which depends on the runtime URL) come from src/proxy.ts.
  headers: () =>
    Promise.resolve([
      {
        source: '/:path*',
        headers: Object.entries(STATIC_SECURITY_HEADERS).map(([key, value]) => ({ key, value })),
      },
    ]),
};

export default config;

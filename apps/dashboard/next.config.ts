import type { NextConfig } from 'next';

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
};

export default config;

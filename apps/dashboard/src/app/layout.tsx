import type { Metadata } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { Providers } from '~/trpc/client';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'ganmod', template: '%s · ganmod' },
  description: 'Train GANs and moderate what people post.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request: Next signs its scripts with the nonce of the request's
  // Content-Security-Policy (src/proxy.ts), which a page prerendered at build time cannot carry.
  await connection();
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}

import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from '~/trpc/client';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'ganmod', template: '%s · ganmod' },
  description: 'Train GANs and moderate what people post.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}

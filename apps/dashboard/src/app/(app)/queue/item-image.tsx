'use client';

import { useState } from 'react';
import { cn } from '~/components/ui/cn';

/**
 * An item's image, or a designed placeholder instead of the browser's broken-image icon: for a
 * text-only item ("Text only"), an image the pipeline refused ("Image refused"), or one that
 * fails to load or decode ("Image unavailable").
 */
export function ItemImage({
  src,
  refused,
  size,
  alt = '',
}: {
  /** The image URL; null for a text-only item. */
  src: string | null;
  refused: boolean;
  size: 'thumb' | 'full';
  alt?: string;
}) {
  const [failed, setFailed] = useState<string | null>(null);
  const broken = src !== null && failed === src;
  if (src !== null && !broken && !refused) {
    return (
      <img
        src={src}
        alt={alt}
        onError={() => setFailed(src)}
        className={
          size === 'thumb'
            ? 'h-12 w-12 shrink-0 rounded bg-muted object-cover'
            : 'max-h-[55vh] w-auto min-w-48 rounded object-contain [image-rendering:pixelated]'
        }
        loading={size === 'thumb' ? 'lazy' : undefined}
      />
    );
  }
  const label = src === null ? 'Text only' : refused ? 'Image refused' : 'Image unavailable';
  return (
    <span
      data-testid="image-placeholder"
      role="img"
      aria-label={label}
      className={cn(
        'flex shrink-0 flex-col items-center justify-center gap-1 rounded border border-dashed text-muted-foreground',
        refused ? 'border-red-300 bg-red-50 text-red-700' : 'border-border bg-muted',
        size === 'thumb' ? 'h-12 w-12 text-[9px] leading-tight' : 'h-48 w-64 text-sm',
      )}
    >
      <svg
        viewBox="0 0 24 24"
        aria-hidden="true"
        className={size === 'thumb' ? 'h-4 w-4' : 'h-10 w-10'}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
      >
        {src === null ? (
          <path d="M4 6h16M4 10h16M4 14h10M4 18h7" strokeLinecap="round" />
        ) : (
          <>
            <rect x="3" y="4" width="18" height="16" rx="2" />
            <path d="m3 16 5-5 4 4 3-3 6 6" strokeLinejoin="round" />
            <path d="M4 21 20 3" strokeLinecap="round" />
          </>
        )}
      </svg>
      <span className="text-center">{label}</span>
    </span>
  );
}

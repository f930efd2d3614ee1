'use client';

import { useEffect, useState } from 'react';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '~/components/ui/card';
import { Slider } from '~/components/ui/slider';

/** The run's sample grids with a step slider; follows the newest grid until the user moves it. */
export function SampleGrids({ grids }: { grids: readonly { id: string; step: number }[] }) {
  const [index, setIndex] = useState<number | null>(null);
  const latest = grids.length - 1;
  const shown = index === null ? latest : Math.min(index, latest);
  const grid = grids[shown];
  useEffect(() => {
    if (index !== null && index > latest) setIndex(null);
  }, [index, latest]);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Sample grid</CardTitle>
        <CardDescription>
          {grid
            ? `Step ${grid.step} (${shown + 1} of ${grids.length})${index === null ? ' · following the newest' : ''}`
            : 'No grid yet: the first one appears after sampleEvery steps.'}
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        {grid ? (
          <>
            <div className="flex justify-center rounded-md bg-muted p-2">
              <img
                src={`/api/artifacts/${grid.id}`}
                alt={`Samples at step ${grid.step}`}
                className="w-full max-w-md [image-rendering:pixelated]"
                data-testid="sample-grid"
                data-step={grid.step}
              />
            </div>
            {grids.length > 1 ? (
              <Slider
                aria-label="Sample grid step"
                min={0}
                max={latest}
                step={1}
                value={[shown]}
                onValueChange={([v]) => setIndex(v === latest ? null : (v ?? null))}
              />
            ) : null}
          </>
        ) : null}
      </CardContent>
    </Card>
  );
}

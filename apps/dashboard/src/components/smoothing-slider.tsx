'use client';

import { cn } from '~/components/ui/cn';
import { Slider } from '~/components/ui/slider';

/** The curve-smoothing control (exponential moving average weight, 0 = raw) of the run charts. */
export function SmoothingSlider({
  value,
  onChange,
  className,
}: {
  value: number;
  onChange: (value: number) => void;
  className?: string;
}) {
  return (
    <label className={cn('flex items-center gap-2 text-xs', className)}>
      Smoothing
      <Slider
        aria-label="Smoothing"
        min={0}
        max={0.99}
        step={0.01}
        value={[value]}
        onValueChange={([v]) => onChange(v ?? 0)}
      />
      <span className="w-8 tabular-nums">{value.toFixed(2)}</span>
    </label>
  );
}

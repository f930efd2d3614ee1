import { cn } from './ui/cn';

/** A 0..1 score as a small bar plus its value; red at or above the flag threshold. */
export function ScoreBar({
  score,
  threshold = 0.5,
  className,
}: {
  score: number;
  threshold?: number;
  className?: string;
}) {
  const pct = Math.round(Math.min(1, Math.max(0, score)) * 100);
  return (
    <span className={cn('inline-flex items-center gap-2', className)} title={score.toFixed(3)}>
      <span className="relative h-1.5 w-16 overflow-hidden rounded-full bg-muted">
        <span
          className={cn(
            'absolute inset-y-0 left-0 rounded-full',
            score >= threshold
              ? 'bg-red-500'
              : score >= threshold * 0.6
                ? 'bg-amber-400'
                : 'bg-emerald-500',
          )}
          style={{ width: `${pct}%` }}
        />
      </span>
      <span className="w-9 tabular-nums text-xs">{score.toFixed(2)}</span>
    </span>
  );
}

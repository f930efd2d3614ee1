/** A thin progress bar with a step counter. */
export function Progress({ step, total }: { step: number; total: number }) {
  const pct = total > 0 ? Math.min(100, (step / total) * 100) : 0;
  return (
    <div className="flex items-center gap-2" title={`${step} / ${total}`}>
      <div className="h-1.5 w-24 overflow-hidden rounded-full bg-muted">
        <div className="h-full rounded-full bg-indigo-500" style={{ width: `${pct}%` }} />
      </div>
      <span className="text-xs tabular-nums text-muted-foreground">
        {step}/{total}
      </span>
    </div>
  );
}

/**
 * Buffers step metrics and writes them in batches (one `createMany` per flush instead of a round
 * trip per number). Steps re-recorded after a resume were deleted first by the run executor, so
 * inserts never collide with the `(runId, step, name)` unique key.
 */
import type { Db } from '@ganmod/db';

export interface MetricPoint {
  step: number;
  name: string;
  value: number;
}

export class MetricWriter {
  private buffer: MetricPoint[] = [];

  constructor(
    private readonly db: Db,
    private readonly runId: string,
    /** Flush when this many points are waiting. */
    private readonly maxBuffered = 500,
  ) {}

  /** Queues finite values (NaN/Inf cannot be stored portably; the watchdog reports them instead). */
  add(step: number, values: Record<string, number>): void {
    for (const [name, value] of Object.entries(values)) {
      if (Number.isFinite(value)) this.buffer.push({ step, name, value });
    }
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Flushes if the buffer is full. */
  async maybeFlush(): Promise<void> {
    if (this.buffer.length >= this.maxBuffered) await this.flush();
  }

  /** Writes everything buffered in one statement. */
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const points = this.buffer;
    this.buffer = [];
    await this.db.runMetric.createMany({
      data: points.map((p) => ({ runId: this.runId, ...p })),
    });
  }
}

/** Drops metrics recorded after `step` (they will be recorded again by the resumed run). */
export async function truncateMetricsAfter(db: Db, runId: string, step: number): Promise<number> {
  const { count } = await db.runMetric.deleteMany({ where: { runId, step: { gt: step } } });
  return count;
}

/**
 * Per-stage timing of one request, sent back as a `Server-Timing` header
 * (`auth;dur=0.41, rate;dur=0.02, …`) so a client (and `bench:submissions`) can see where the
 * time of a request went without a profiler. Durations only: no names, ids or other data.
 */
export class StageTimer {
  private last = performance.now();
  private readonly stages: [string, number][] = [];

  /** Ends the current stage, naming it (a token: letters, digits, `-`). */
  mark(stage: string): void {
    const now = performance.now();
    this.stages.push([stage, now - this.last]);
    this.last = now;
  }

  /** The `Server-Timing` header's value for the stages marked so far. */
  header(): string {
    return this.stages.map(([name, ms]) => `${name};dur=${ms.toFixed(2)}`).join(', ');
  }
}

/**
 * Batches the requests that arrive together into one database call: requests that arrive while
 * batches are in flight wait for the next batch, and each batch is one call, so N concurrent
 * requests cost one round trip (one commit, for writes: group commit) instead of N. Under no load
 * a request goes at once, alone (no timer, no added latency); under load the batches grow with
 * the wait.
 */
export class Batcher<In, Out> {
  private readonly queue: {
    input: In;
    resolve: (out: Out) => void;
    reject: (err: unknown) => void;
  }[] = [];
  private inFlight = 0;
  private scheduled = false;

  /**
   * @param write handles a batch (writes it, or reads for it), returning one result per input, in
   *   order.
   * @param maxInFlight batches handled at the same time: 1 for SQLite's single writer; a few for
   *   PostgreSQL, whose transactions run side by side (each waits for its own round trips).
   * @param maxBatch most inputs one call takes.
   */
  constructor(
    private readonly write: (inputs: In[]) => Promise<Out[]>,
    private readonly maxInFlight = 1,
    private readonly maxBatch = 256,
  ) {}

  /** Resolves once `input`'s batch is handled (rejects if that call fails). */
  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // Requests that arrive in this tick join the batch.
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        this.inFlight++;
        void this.run(batch).finally(() => {
          this.inFlight--;
          this.pump();
        });
      }
    });
  }

  private async run(batch: typeof this.queue): Promise<void> {
    try {
      const out = await this.write(batch.map((b) => b.input));
      batch.forEach((b, i) => b.resolve(out[i]!));
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }
}

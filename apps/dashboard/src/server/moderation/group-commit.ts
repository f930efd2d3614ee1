/**
 * Group commit: requests that arrive while a batch is being written wait for the next batch, and
 * each batch is written by one call (one transaction), so N concurrent requests cost one commit
 * instead of N. Under no load a request is written at once, alone (no timer, no added latency);
 * under load the batch grows with the wait.
 */
export class GroupCommit<In, Out> {
  private queue: { input: In; resolve: (out: Out) => void; reject: (err: unknown) => void }[] = [];
  private running = false;

  /**
   * @param write writes a batch, returning one result per input, in order.
   * @param maxBatch most inputs one write takes.
   */
  constructor(
    private readonly write: (inputs: In[]) => Promise<Out[]>,
    private readonly maxBatch = 256,
  ) {}

  /** Resolves once `input`'s batch is written (rejects if that write fails). */
  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      // Requests that arrive in this tick join the first batch.
      await new Promise((r) => setImmediate(r));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const out = await this.write(batch.map((b) => b.input));
          batch.forEach((b, i) => b.resolve(out[i]!));
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

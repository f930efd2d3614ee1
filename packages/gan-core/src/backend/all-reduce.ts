/**
 * Exact gradient averaging between worker threads through shared memory.
 *
 * The wasm backend computes on one thread in Node, so data-parallel training runs one backend per
 * worker thread. Each worker writes its gradient into its own slot, waits at a barrier, then
 * every worker sums all slots in the same order: all replicas get bit-identical averages, apply
 * identical optimizer updates and keep bit-identical weights without ever sending weights.
 */

/** Shared buffers of an {@link AllReduce} group; pass them to every worker (workerData). */
export interface AllReduceBuffers {
  workers: number;
  /** Floats per slot: the largest vector that will be reduced. */
  capacity: number;
  control: SharedArrayBuffer;
  slots: SharedArrayBuffer;
}

/** Allocates the shared memory for `workers` replicas reducing vectors of up to `capacity`. */
export function createAllReduceBuffers(workers: number, capacity: number): AllReduceBuffers {
  if (!Number.isInteger(workers) || workers < 1) throw new Error('workers must be >= 1');
  return {
    workers,
    capacity,
    control: new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT),
    slots: new SharedArrayBuffer(workers * capacity * Float32Array.BYTES_PER_ELEMENT),
  };
}

const ARRIVED = 0;
const GENERATION = 1;

/** One replica's handle on an all-reduce group. Blocking: use it in worker threads only. */
export class AllReduce {
  private readonly control: Int32Array;
  private readonly slots: Float32Array;

  constructor(
    private readonly buffers: AllReduceBuffers,
    readonly rank: number,
  ) {
    if (!Number.isInteger(rank) || rank < 0 || rank >= buffers.workers) {
      throw new Error(`rank ${rank} out of range for ${buffers.workers} workers`);
    }
    this.control = new Int32Array(buffers.control);
    this.slots = new Float32Array(buffers.slots);
  }

  /** Waits until every replica has arrived (a reusable generation barrier). */
  barrier(): void {
    const { control } = this;
    const generation = Atomics.load(control, GENERATION);
    if (Atomics.add(control, ARRIVED, 1) === this.buffers.workers - 1) {
      Atomics.store(control, ARRIVED, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
    } else {
      while (Atomics.load(control, GENERATION) === generation) {
        Atomics.wait(control, GENERATION, generation);
      }
    }
  }

  /** Replaces `values` by the element-wise mean over all replicas (same length everywhere). */
  meanInPlace(values: Float32Array): void {
    const { workers, capacity } = this.buffers;
    if (values.length > capacity)
      throw new Error(`vector of ${values.length} > capacity ${capacity}`);
    if (workers === 1) return;
    this.slots.set(values, this.rank * capacity);
    this.barrier();
    const n = values.length;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let w = 0; w < workers; w++) sum += this.slots[w * capacity + i]!;
      values[i] = Math.fround(sum / workers);
    }
    // Nobody may overwrite its slot before every replica has read all of them.
    this.barrier();
  }
}

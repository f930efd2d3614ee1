import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from '../src/concurrency.js';

describe('mapWithConcurrency', () => {
  it('keeps input order and never runs more than `limit` calls at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 40 }, (_, i) => i);
    const results = await mapWithConcurrency(items, 3, async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      // Later items finish first, so a naive push-on-completion would reorder results.
      await sleep(40 - item);
      inFlight--;
      return item * 2;
    });
    expect(results).toEqual(items.map((i) => i * 2));
    expect(peak).toBe(3);
  });

  it('propagates the first failure', async () => {
    await expect(
      mapWithConcurrency([1, 2, 3], 2, (i) =>
        i === 2 ? Promise.reject(new Error('boom')) : Promise.resolve(i),
      ),
    ).rejects.toThrow('boom');
  });
});

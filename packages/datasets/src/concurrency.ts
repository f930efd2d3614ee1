/** Bounded-concurrency map: keeps open files (and sharp's work queue) to a fixed number. */

/**
 * `fn` over `items` with at most `limit` calls in flight; results keep the input order.
 * A default `ulimit -n` of 1,024 would otherwise be exceeded by reading thousands of files at once.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

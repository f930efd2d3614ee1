/** The benches' `--set key=value` config overrides (bench:quality, scripts/ema-statistics.mjs). */

/**
 * `key=value` entries as config fields, each value JSON when it parses as JSON (numbers, booleans),
 * else the string itself.
 * @throws Error naming an entry without `=` or without a key.
 */
export function parseSet(entries: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new Error(`--set takes key=value, got '${entry}'`);
    const raw = entry.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string such as hinge
    }
    out[entry.slice(0, eq)] = value;
  }
  return out;
}

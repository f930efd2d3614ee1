/** Small display helpers shared by pages. */

/** "3 min ago", "2 h ago", "5 d ago". */
export function timeAgo(date: Date | string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - new Date(date).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}

/** "2026-11-28 14:03:12" in UTC: unambiguous in an audit log. */
export function utc(date: Date | string): string {
  return new Date(date).toISOString().replace('T', ' ').slice(0, 19);
}

export function percent(x: number | null | undefined, digits = 0): string {
  return x === null || x === undefined ? '–' : `${(x * 100).toFixed(digits)}%`;
}

/** Up to 4 significant digits, switching to exponent notation for very small or large values. */
export function metric(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5)
    ? x.toExponential(2)
    : Number(x.toPrecision(4)).toString();
}

/** Field errors attached by the tRPC error formatter, keyed by path (`config.lrG`, `email`, ...). */
export function fieldErrors(error: unknown): Record<string, string> {
  const data = (
    error as { data?: { fieldErrors?: { path: string; message: string }[] | null } } | null
  )?.data;
  const out: Record<string, string> = {};
  for (const e of data?.fieldErrors ?? []) out[e.path] ??= e.message;
  return out;
}

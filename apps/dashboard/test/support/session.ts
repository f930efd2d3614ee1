// Signs in against a running dashboard and keeps the session cookie for later requests.

export interface SignedIn {
  cookie: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export async function signIn(baseUrl: string, email: string, password: string): Promise<SignedIn> {
  const res = await fetch(`${baseUrl}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200)
    throw new Error(`sign-in as ${email} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return {
    cookie,
    fetch: (path, init = {}) =>
      fetch(`${baseUrl}${path}`, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers ?? {}), cookie, origin: baseUrl },
      }),
  };
}

/** Reads a tRPC query result (superjson-encoded) from a GET `/api/trpc/<path>?input=...`. */
export async function trpcQuery<T>(
  session: SignedIn,
  path: string,
  input?: unknown,
): Promise<{ status: number; data?: T; error?: unknown }> {
  const qs =
    input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const res = await session.fetch(`/api/trpc/${path}${qs}`);
  const body = (await res.json()) as { result?: { data: { json: T } }; error?: unknown };
  return { status: res.status, data: body.result?.data.json, error: body.error };
}

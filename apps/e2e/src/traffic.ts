/** A request through a proxy, with the key as a Bearer token when given. */
export function call(baseUrl: string, path: string, key?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (key !== undefined) headers.set('authorization', `Bearer ${key}`);
  return fetch(`${baseUrl}${path}`, { ...init, headers });
}

/** Status of one request; the body is read so the connection can be reused. */
export async function statusOf(baseUrl: string, path: string, key?: string): Promise<number> {
  const res = await call(baseUrl, path, key);
  await res.arrayBuffer();
  return res.status;
}

/** Calls `probe` every `intervalMs` until `done` holds or `timeoutMs` passes; returns the last value. */
export async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 5000, intervalMs = 20 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await probe();
  }
  return value;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

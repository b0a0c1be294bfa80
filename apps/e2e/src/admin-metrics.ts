/** The proxy's `/metrics` text (Prometheus exposition format). */
export async function scrape(adminUrl: string): Promise<string> {
  const res = await fetch(`${adminUrl}/metrics`);
  if (!res.ok) throw new Error(`GET ${adminUrl}/metrics answered ${res.status}`);
  return res.text();
}

/**
 * Sum of every sample of `name` whose labels include `labels`; 0 when there
 * is none (a counter whose child was never created).
 */
export function sampleSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)/.exec(line);
    if (match?.[1] !== name) continue;
    const present = new Map([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([label, value]) => present.get(label) === value)) sum += Number(match[3]);
  }
  return sum;
}

/** Keystore lookups this proxy made (every result, including refusals by its breaker). */
export async function keystoreLookups(adminUrl: string): Promise<number> {
  const text = await scrape(adminUrl);
  return (
    sampleSum(text, 'routemcp_proxy_keystore_requests_total') -
    sampleSum(text, 'routemcp_proxy_keystore_requests_total', { result: 'circuit_open' })
  );
}

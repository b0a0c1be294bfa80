import type { RunningProxy } from '../processes/apps.ts';

/** The proxy's counter of calls to the keystore lookup API (all outcomes). */
export const KEYSTORE_LOOKUPS_METRIC = 'routemcp_proxy_keystore_requests_total';

export async function readMetrics(proxy: RunningProxy): Promise<string> {
  const res = await fetch(`${proxy.adminUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
  return res.ok ? res.text() : '';
}

import type { Handler, Route } from './routes/route.ts';

export type Resolved =
  { ok: true; handler: Handler } | { ok: false; reason: 'not-found' } | { ok: false; reason: 'method'; allow: string };

/** Exact-path lookup; HEAD falls back to GET as HTTP allows. */
export function resolveRoute(routes: ReadonlyMap<string, Route>, method: string, path: string): Resolved {
  const route = routes.get(path);
  if (route === undefined) return { ok: false, reason: 'not-found' };
  const handler = route[method] ?? (method === 'HEAD' ? route.GET : undefined) ?? route['*'];
  if (handler !== undefined) return { ok: true, handler };
  const methods = Object.keys(route);
  if (methods.includes('GET')) methods.push('HEAD');
  return { ok: false, reason: 'method', allow: methods.join(', ') };
}

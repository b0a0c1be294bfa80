import type { Role } from '../accounts/roles.ts';
import type { Harness } from './keystore-harness.ts';

export interface DashboardClient {
  /** fetch with this browser's cookies (and same-origin Origin on writes); no redirects followed. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Posts a form with the session's CSRF token unless `csrf` overrides it. */
  post(
    path: string,
    fields: Record<string, string>,
    options?: { csrf?: string | null; origin?: string },
  ): Promise<Response>;
  /** Management API call with the session cookie and the CSRF header. */
  api(method: string, path: string, body?: unknown, options?: { csrf?: string | null }): Promise<Response>;
  login(email: string, password: string): Promise<Response>;
  csrfToken(): string;
  cookies: Map<string, string>;
}

const CSRF_INPUT = /name="_csrf" value="([^"]+)"/;

/** A minimal cookie-keeping browser for the dashboard, for tests. */
export function dashboardClient(ks: Pick<Harness, 'baseUrl'>): DashboardClient {
  const cookies = new Map<string, string>();
  let csrf = '';
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq);
      const value = (pair ?? '').slice(eq + 1);
      if (attrs.some((a) => a.trim() === 'Max-Age=0')) cookies.delete(name);
      else cookies.set(name, value);
    }
  };
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const client: DashboardClient = {
    cookies,
    csrfToken: () => csrf,
    async fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (cookies.size > 0) headers.set('cookie', cookieHeader());
      const res = await fetch(`${ks.baseUrl}${path}`, { ...init, headers, redirect: 'manual' });
      remember(res);
      if ((res.headers.get('content-type') ?? '').startsWith('text/html')) {
        const text = await res.clone().text();
        const match = CSRF_INPUT.exec(text);
        if (match?.[1] !== undefined && cookies.has('routemcp_session')) csrf = match[1];
      }
      return res;
    },
    post(path, fields, options = {}) {
      const token = options.csrf === undefined ? csrf : options.csrf;
      const body = new URLSearchParams({ ...fields, ...(token === null ? {} : { _csrf: token }) });
      return client.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: options.origin ?? ks.baseUrl },
        body,
      });
    },
    api(method, path, body, options = {}) {
      const token = options.csrf === undefined ? csrf : options.csrf;
      const headers: Record<string, string> = {};
      if (token !== null) headers['x-csrf-token'] = token;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return client.fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    },
    async login(email, password) {
      const page = await (await client.fetch('/login')).text();
      const token = CSRF_INPUT.exec(page)?.[1] ?? '';
      const res = await client.post('/login', { email, password }, { csrf: token });
      if (res.status === 303) await client.fetch('/keys');
      return res;
    },
  };
  return client;
}

export const PASSWORD = 'correct horse battery staple';

/** A member of the default account with `role`, logged in: its own cookie jar. */
export async function loggedIn(ks: Harness, email: string, role: Role): Promise<DashboardClient> {
  await addUser(ks, email, undefined, role);
  const client = dashboardClient(ks);
  const res = await client.login(email, PASSWORD);
  if (res.status !== 303) throw new Error(`${email} could not log in: ${res.status}`);
  return client;
}

/** A member (an owner unless `role` says otherwise) of a new account (or the default one) of this keystore. */
export async function addUser(ks: Harness, email: string, accountId?: string, role: Role = 'owner'): Promise<string> {
  const account = accountId ?? ks.store.defaultAccountId;
  await ks.store.ensureAccount(account, account, ks.clock.now());
  const user = await ks.app.login?.createUser(email, PASSWORD, account, role);
  if (user === undefined) throw new Error(`could not create ${email}`);
  return account;
}

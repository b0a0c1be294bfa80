import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Permission } from '../accounts/roles.ts';
import type { Principal } from './principal.ts';

export type Access = 'public' | 'management' | 'service';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** Set for every route whose access is not `public`. */
  principal: Principal | undefined;
}

/** A JSON answer, or `handled` when the route wrote the response itself (the event stream). */
export type RouteResult = { status: number; data: unknown } | 'handled';

export interface Route {
  method: string;
  /** `/v1/keys/:id/revoke`: literal segments and `:name` captures. */
  pattern: string;
  access: Access;
  /**
   * What the caller's role must allow. `management`: checked by the server before `handle`, refused with
   * the 403 envelope. A `public` dashboard page (dashboard/page-kit.ts `pageRoute`) checks it itself and
   * answers a 403 page.
   */
  permission?: Permission;
  handle(ctx: RouteContext): RouteResult | Promise<RouteResult>;
}

export type Match =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'not_found' };

interface Compiled {
  route: Route;
  segments: string[];
}

export class Router {
  readonly #routes: Compiled[];

  constructor(routes: readonly Route[]) {
    this.#routes = routes.map((route) => ({ route, segments: route.pattern.split('/').slice(1) }));
  }

  /** What was registered, in match order. */
  get routes(): readonly Route[] {
    return this.#routes.map(({ route }) => route);
  }

  match(method: string, pathname: string): Match {
    const parts = pathname.split('/').slice(1);
    const allow: string[] = [];
    for (const { route, segments } of this.#routes) {
      const params = matchSegments(segments, parts);
      if (params === undefined) continue;
      if (route.method === method) return { kind: 'found', route, params };
      allow.push(route.method);
    }
    return allow.length > 0 ? { kind: 'method_not_allowed', allow } : { kind: 'not_found' };
  }
}

function matchSegments(segments: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const part = parts[i] as string;
    if (segment.startsWith(':')) {
      if (part === '') return undefined;
      params[segment.slice(1)] = part;
    } else if (segment !== part) {
      return undefined;
    }
  }
  return params;
}

import type { Route } from '../http/router.ts';
import { managementOpenApi, OPENAPI_PATH } from './openapi-document.ts';

/**
 * `GET /v1/openapi.json`: the document itself, not wrapped in the envelope,
 * and without credentials, so generators and viewers read it directly. It
 * describes the API's shape and holds nothing about any key or account.
 */
export function openApiRoute(): Route {
  let body: string | undefined;
  return {
    method: 'GET',
    pattern: OPENAPI_PATH,
    access: 'public',
    handle({ res }) {
      body ??= JSON.stringify(managementOpenApi());
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-cache',
      });
      res.end(body);
      return 'handled';
    },
  };
}

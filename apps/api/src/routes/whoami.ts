import type { IncomingMessage } from 'node:http';
import { writeSuccess } from '@routemcp/errors';
import type { Handler } from './route.ts';

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

/**
 * Shows the identity headers the proxy added, for demos and tests. The api
 * trusts them only because it is reachable through the proxy alone.
 */
export const whoami: Handler = (req, res) =>
  writeSuccess(res, {
    keyId: header(req, 'x-routemcp-key-id'),
    accountId: header(req, 'x-routemcp-account-id'),
    environment: header(req, 'x-routemcp-environment'),
    requestId: header(req, 'x-request-id'),
  });

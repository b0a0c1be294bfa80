import { createServer, type Server } from 'node:http';

/** The whole answer, built once: an empty 200 is all a gateway's auth subrequest needs to let a request through. */
const ALLOW_HEADERS = ['content-length', '0'];

/**
 * The floor of forward auth (issue 21): a `node:http` server that answers
 * every request 200 with an empty body and does no work: no key, no
 * bucket, no log. It is the authz of (nginx-allow), nginx `auth_request` to a server
 * that allows everything, and the server of (authz-floor) that the authz alone (authz) is
 * judged against. Never used by the product.
 */
export function createNodeAllow(): Server {
  return createServer((_req, res) => {
    res.writeHead(200, ALLOW_HEADERS);
    res.end();
  });
}

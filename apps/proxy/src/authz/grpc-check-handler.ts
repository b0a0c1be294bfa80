import { status as GrpcStatus, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { errorCatalog } from '@routemcp/errors';
import type { Logger } from 'pino';
import type { Recorder } from '../observability/index.ts';
import { BAD_PATH, isCanonical, type Authorization, type Authorizer, type ClientAddresses } from '../pipeline/index.ts';
import type { CheckRequest, CheckResponse } from './grpc-messages.ts';
import { GrpcCheck } from './grpc-request.ts';
import { allowed, denied } from './grpc-response.ts';

export interface CheckHandlerDeps {
  authorizer: Authorizer;
  clients: ClientAddresses;
  recorder: Recorder;
  logger: Logger;
}

type Check = ServerUnaryCall<CheckRequest, CheckResponse>;
type Reply = sendUnaryData<CheckResponse>;

const NONE: readonly string[] = Object.freeze([]);

/**
 * `envoy.service.auth.v3.Authorization/Check`: the proxy's own decision (the
 * same Authorizer, so the same cache, event stream, leases, policies and
 * buckets) on the request Envoy describes, recorded by the same Recorder
 * (access log, metrics, usage). Only the way the answer is written differs.
 */
export function createCheckHandler(deps: CheckHandlerDeps) {
  const { authorizer, clients, recorder, logger } = deps;
  const clientOf = clients.of.bind(clients);

  function answer(check: GrpcCheck, reply: Reply, result: Authorization): void {
    const key = result.key;
    if (key !== null) {
      check.keyId = key.id;
      check.accountId = key.accountId;
    }
    if (result.kind === 'abandoned') {
      check.outcome = 'CLIENT_CLOSED';
      reply({ code: GrpcStatus.CANCELLED, details: 'cancelled' });
    } else if (result.kind === 'refused') {
      check.statusCode = errorCatalog[result.code].statusCode;
      check.outcome = result.outcome;
      reply(null, denied(result));
    } else {
      check.statusCode = 200;
      // What the usage counts as admitted: the gateway forwards on this answer.
      check.forwardedAt = performance.now();
      reply(null, allowed(check, result));
    }
    recorder.record(check);
  }

  function failed(check: GrpcCheck, reply: Reply, err: unknown): void {
    logger.error({ err, reqId: check.requestId }, 'authz check failed');
    check.statusCode = 500;
    check.outcome = 'INTERNAL_ERROR';
    reply(null, denied({ code: 'INTERNAL_ERROR', headers: NONE, message: undefined }));
    recorder.record(check);
  }

  return function handleCheck(call: Check, reply: Reply): void {
    const check = new GrpcCheck(call, clientOf, performance.now());
    // The gateway forwards, not us: a target we would rewrite is one we cannot vouch for as sent.
    if (!isCanonical(check.url)) {
      check.statusCode = 400;
      check.outcome = BAD_PATH;
      reply(null, denied({ code: 'BAD_REQUEST', headers: NONE, message: undefined }));
      recorder.record(check);
      return;
    }
    let result: Authorization | Promise<Authorization>;
    try {
      result = authorizer.authorize(check);
      if (!(result instanceof Promise)) return answer(check, reply, result);
    } catch (err) {
      return failed(check, reply, err);
    }
    result.then(
      (settled) => answer(check, reply, settled),
      (err: unknown) => failed(check, reply, err),
    );
  };
}

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { context } from '@opentelemetry/api';
import type { Environment } from '@routemcp/api-key';
import { replaceTraceHeaders, type Tracing } from '@routemcp/tracing';
import {
  Upstream,
  type BodyFraming,
  type ForwardResponse,
  type TunnelOutcome,
  type UpstreamOptions,
} from '../upstream/index.ts';

/**
 * The upstream, when tracing is on: what it receives carries our
 * `traceparent` (the exchange's SERVER span as the parent, from the active
 * context), in place of the caller's, which never reaches it twice.
 */
export class TracedUpstream extends Upstream {
  readonly #tracing: Tracing;

  constructor(options: UpstreamOptions, tracing: Tracing) {
    super(options);
    this.#tracing = tracing;
  }

  override forward(
    req: IncomingMessage,
    res: ForwardResponse,
    headers: string[],
    framing: BodyFraming,
    environment: Environment,
  ): void {
    replaceTraceHeaders(this.#tracing, context.active(), headers);
    super.forward(req, res, headers, framing, environment);
  }

  override tunnel(
    req: IncomingMessage,
    socket: Socket,
    head: Buffer,
    headers: string[],
    responseHeaders: string[],
    environment: Environment,
    outcome: TunnelOutcome,
  ): void {
    replaceTraceHeaders(this.#tracing, context.active(), headers);
    super.tunnel(req, socket, head, headers, responseHeaders, environment, outcome);
  }
}

import { IncomingMessage } from 'node:http';
import type { PipelineRequest, RequestHead } from '../pipeline/index.ts';

/**
 * The server's request class: what the pipeline reads, on the request
 * itself (no wrapper object per request). `head` is read once, from
 * `rawHeaders`, when the request is handled.
 */
export class ProxyRequest extends IncomingMessage implements PipelineRequest {
  head!: RequestHead;
  /** The socket peer, or the client behind a trusted proxy (ClientAddresses); set with `head`. */
  clientAddress: string | undefined;

  gone(): boolean {
    return this.socket.destroyed || !this.socket.writable;
  }
}

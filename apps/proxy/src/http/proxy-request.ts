import { IncomingMessage } from 'node:http';
import type { PipelineRequest, RequestHead } from '../pipeline/index.ts';

/**
 * The server's request class: what the pipeline reads, on the request
 * itself (no wrapper object per request). `head` is read once, from
 * `rawHeaders`, when the request is handled.
 */
export class ProxyRequest extends IncomingMessage implements PipelineRequest {
  head!: RequestHead;

  get clientAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  gone(): boolean {
    return this.socket.destroyed || !this.socket.writable;
  }
}

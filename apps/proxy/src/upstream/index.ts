export { fromHeaderList } from './header-object.ts';
export type { BodyFraming, ForwardResponse } from './http-forwarder.ts';
export { Upstream, type UpstreamOptions } from './upstream.ts';
export { failureCode, UpstreamError, type UpstreamFailure } from './upstream-error.ts';
export type { TunnelOutcome } from './websocket-tunnel.ts';

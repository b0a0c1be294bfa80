export { OpenTunnels, type NewTunnel, type OpenTunnelsOptions, type TunnelSocket } from './open-tunnels.ts';
export { checkTunnel, type TunnelCheck, type TunnelGrant } from './tunnel-check.ts';
export { TUNNEL_CLOSE_REASONS, TunnelMetrics, type TunnelCloseReason } from './tunnel-metrics.ts';

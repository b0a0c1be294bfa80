export type { DrainResult } from './drain.ts';
export { listen } from './listen.ts';
export { createProxyServer, type ProxyHttpServer, type ProxyServerDeps, type ProxyServers } from './server.ts';

import type { StructuralSchema } from './strict-schema.ts';

/**
 * The keys Traefik's file provider reads from a dynamic configuration, for
 * the part our Traefik example uses, copied from the yaml tags of its Go
 * types (Traefik has no published schema, and no binary is installable here):
 * github.com/traefik/traefik fd5a576df2e8aeb0bfc8a96b6ef6e60a61f7ec0a
 *   pkg/config/dynamic/config.go       Configuration
 *   pkg/config/dynamic/http_config.go  HTTPConfiguration, Router, Service, ServersLoadBalancer, Server
 *   pkg/config/dynamic/middlewares.go  Middleware, ForwardAuth, Headers (the two keys we use of its 33)
 * Kinds and fields the example does not use are left out on purpose: an
 * example that starts using one should add it here from the same source.
 */
const strings: StructuralSchema = { type: 'array', items: { type: 'string' } };
const stringMap: StructuralSchema = { type: 'object', additionalProperties: { type: 'string' } };

const forwardAuth: StructuralSchema = {
  type: 'object',
  required: ['address'],
  properties: {
    address: { type: 'string' },
    tls: {
      type: 'object',
      properties: Object.fromEntries(['ca', 'cert', 'key', 'insecureSkipVerify', 'caOptional'].map((k) => [k, {}])),
    },
    trustForwardHeader: { type: 'boolean' },
    authResponseHeaders: strings,
    authResponseHeadersRegex: { type: 'string' },
    authRequestHeaders: strings,
    maxResponseBodySize: { type: 'integer' },
    addAuthCookiesToResponse: strings,
    headerField: { type: 'string' },
    forwardBody: { type: 'boolean' },
    maxBodySize: { type: 'integer' },
    preserveLocationHeader: { type: 'boolean' },
    preserveRequestMethod: { type: 'boolean' },
    authSigninURL: { type: 'string' },
  },
};

const headers: StructuralSchema = {
  type: 'object',
  properties: { customRequestHeaders: stringMap, customResponseHeaders: stringMap },
};

const router: StructuralSchema = {
  type: 'object',
  properties: {
    entryPoints: strings,
    middlewares: strings,
    service: { type: 'string' },
    rule: { type: 'string' },
    ruleSyntax: { type: 'string' },
    priority: { type: 'integer' },
    tls: { type: 'object', additionalProperties: true },
    observability: { type: 'object', additionalProperties: true },
    parentRefs: strings,
  },
};

const loadBalancer: StructuralSchema = {
  type: 'object',
  properties: {
    servers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['url'],
        properties: { url: { type: 'string' }, weight: { type: 'integer' }, preservePath: { type: 'boolean' } },
      },
    },
    passHostHeader: { type: 'boolean' },
    serversTransport: { type: 'string' },
  },
};

export const TRAEFIK_DYNAMIC: StructuralSchema = {
  type: 'object',
  properties: {
    http: {
      type: 'object',
      properties: {
        routers: { type: 'object', additionalProperties: router },
        middlewares: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { forwardAuth, headers } },
        },
        services: { type: 'object', additionalProperties: { type: 'object', properties: { loadBalancer } } },
      },
    },
  },
};

export {
  AUTH_FAILURES_OUTCOME,
  Authorizer,
  type Abandoned,
  type Authorization,
  type Authorized,
  type AuthorizerDeps,
  type PipelineRequest,
  type Refused,
} from './authorize.ts';
export { AuthFailureBudget } from './auth-failure-budget.ts';
export type { RateLimitDefaults } from './limit.ts';
export { createPublicPathMatcher, type PublicPathMatcher } from './public-paths.ts';
export { hasBody, readHead, type RequestHead } from './request-head.ts';
export { requestIdOf } from './request-id.ts';
export { upstreamHeaders, type Identity } from './rewrite-headers.ts';

export {
  AUTH_FAILURES_OUTCOME,
  BAD_PATH,
  FORBIDDEN_BY_IP,
  FORBIDDEN_BY_PERMISSION,
  FORBIDDEN_MESSAGE,
  Authorizer,
  type Abandoned,
  type Authorization,
  type Authorized,
  type AuthorizerDeps,
  type PipelineRequest,
  type Refused,
} from './authorize.ts';
export { AuthFailureBudget } from './auth-failure-budget.ts';
export { canonicalTarget, isCanonical, pathOf, type CanonicalPath, type CanonicalTarget } from '@routemcp/internal-api';
export { ClientAddresses, toBlockList } from './client-address.ts';
export { KeyPolicy, policyOf } from './key-policy.ts';
export type { RateLimitDefaults } from './limit.ts';
export { createPublicPathMatcher, type PublicPathMatcher } from './public-paths.ts';
export { hasBody, readHead, type RequestHead } from './request-head.ts';
export { ConnectionKeys } from './connection-keys.ts';
export { readKey } from './read-key.ts';
export { requestIdOf } from './request-id.ts';
export { upstreamHeaders, type Identity } from './rewrite-headers.ts';

export {
  createAdminServer,
  localAdminSource,
  readinessOf,
  type AdminSource,
  type Readiness,
  type ReadyReport,
} from './admin-server.ts';

export { ProcessGroup, type ManagedProcess, type SpawnOptions } from './process-group.ts';

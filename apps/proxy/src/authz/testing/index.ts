export { docBlocks, workspaceRoot, type BlockKind, type DocBlock } from './doc-blocks.ts';
export { ENVOY_PROTO_DIRS, ENVOY_PROTO_FILES, loadProtoRoot } from './proto-root.ts';
export { protoProblems } from './strict-proto.ts';

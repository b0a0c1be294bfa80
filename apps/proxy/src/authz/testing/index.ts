export { docBlocks, workspaceRoot, type BlockKind, type DocBlock } from './doc-blocks.ts';
export { CRD_SPECS, loadIstioMeshRoot, type CrdSpecSchema } from './kubernetes-schemas.ts';
export { ENVOY_PROTO_DIRS, ENVOY_PROTO_FILES, loadProtoRoot } from './proto-root.ts';
export { protoProblems } from './strict-proto.ts';
export { schemaProblems, type StructuralSchema } from './strict-schema.ts';
export { TRAEFIK_DYNAMIC } from './traefik-dynamic-schema.ts';

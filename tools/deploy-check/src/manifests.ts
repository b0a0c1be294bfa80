import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const workspaceRoot = resolve(import.meta.dirname, '../../..');
export const deployDir = join(workspaceRoot, 'deploy');
/**
 * Every kustomization one applies: the SQLite default, the HA overlay, the HA overlay with its sample database,
 * and the proxy as a forward-auth service (no sidecar) on the SQLite keystore or on the PostgreSQL replicas.
 */
export const VARIANTS = [
  'deploy',
  'deploy/ha',
  'deploy/ha-sample-postgres',
  'deploy/forward-auth',
  'deploy/forward-auth-ha',
] as const;
export const variantDir = (variant: string): string => join(workspaceRoot, variant);

/** A Kubernetes object as written in deploy/: only the fields every object has are typed. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface Located {
  file: string;
  manifest: Manifest;
}

export interface Kustomization {
  namespace?: string;
  resources?: string[];
  /** Not understood by loadManifests (it refuses them): deploy/ is written without patches. */
  patches?: unknown[];
  secretGenerator?: { name: string; envs?: string[]; literals?: string[] }[];
  configMapGenerator?: { name: string; files?: string[]; options?: { labels?: Record<string, string> } }[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

/** `merge: true` applies `<<:` keys as docker compose does (YAML 1.2 leaves them out). */
export function readYaml(path: string): unknown {
  return parse(readFileSync(path, 'utf8'), { merge: true });
}

export function loadKustomization(dir = deployDir): Kustomization {
  return readYaml(join(dir, 'kustomization.yaml')) as Kustomization;
}

/**
 * Every object of every resource the kustomization lists, as kustomize would
 * read them: a listed directory is another kustomization, read the same way.
 * `file` is relative to deploy/. Patches and other transformers are refused,
 * so nothing here differs from what kustomize renders but the name suffixes,
 * namespaces and labels it adds.
 */
export function loadManifests(dir = deployDir): Located[] {
  const kustomization = loadKustomization(dir);
  if (kustomization.patches !== undefined) throw new Error(`${dir}: patches are not read by loadManifests`);
  return (kustomization.resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    if (!existsSync(path)) throw new Error(`kustomization lists ${resource}, which does not exist`);
    if (statSync(path).isDirectory()) return loadManifests(path);
    const file = relative(deployDir, path);
    return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      return { file, manifest: doc.toJS() as Manifest };
    });
  });
}

/** The kustomizations `dir` builds on, itself first (directory resources, depth first). */
export function kustomizationChain(dir = deployDir): { dir: string; kustomization: Kustomization }[] {
  const kustomization = loadKustomization(dir);
  const bases = (kustomization.resources ?? [])
    .map((resource) => join(dir, resource))
    .filter((path) => existsSync(path) && statSync(path).isDirectory());
  return [{ dir, kustomization }, ...bases.flatMap((base) => kustomizationChain(base))];
}

/** Image names the kustomization or any base sets a tag for. */
export function imagesSet(dir = deployDir): Set<string> {
  return new Set(
    kustomizationChain(dir).flatMap(({ kustomization }) => (kustomization.images ?? []).map((i) => i.name)),
  );
}

/** The Secrets the kustomizations' secretGenerators make (bases included), filled from the committed `.example` env files. */
export function generatedSecrets(dir = deployDir): Manifest[] {
  return kustomizationChain(dir).flatMap(({ dir: at, kustomization }) =>
    (kustomization.secretGenerator ?? []).map((generator): Manifest => {
      const data: Record<string, string> = {};
      for (const env of generator.envs ?? []) {
        for (const line of readFileSync(join(at, `${env}.example`), 'utf8').split('\n')) {
          const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
          if (match) data[match[1]!] = match[2]!;
        }
      }
      return { apiVersion: 'v1', kind: 'Secret', metadata: { name: generator.name }, type: 'Opaque', stringData: data };
    }),
  );
}

export function find(manifests: Located[], kind: string, name: string): Manifest {
  const found = manifests.find(({ manifest }) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/`);
  return found.manifest;
}

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const workspaceRoot = resolve(import.meta.dirname, '../../..');
export const deployDir = join(workspaceRoot, 'deploy');

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

/** Every object of every resource file the kustomization lists, as kustomize would read them. */
export function loadManifests(dir = deployDir): Located[] {
  return (loadKustomization(dir).resources ?? []).flatMap((file) => {
    const path = join(dir, file);
    if (!existsSync(path)) throw new Error(`kustomization lists ${file}, which does not exist`);
    return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      return { file, manifest: doc.toJS() as Manifest };
    });
  });
}

/** The Secrets the kustomization's secretGenerator makes, filled from the committed `.example` env files. */
export function generatedSecrets(dir = deployDir): Manifest[] {
  return (loadKustomization(dir).secretGenerator ?? []).map((generator) => {
    const data: Record<string, string> = {};
    for (const env of generator.envs ?? []) {
      for (const line of readFileSync(join(dir, `${env}.example`), 'utf8').split('\n')) {
        const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
        if (match) data[match[1]!] = match[2]!;
      }
    }
    return { apiVersion: 'v1', kind: 'Secret', metadata: { name: generator.name }, type: 'Opaque', stringData: data };
  });
}

export function find(manifests: Located[], kind: string, name: string): Manifest {
  const found = manifests.find(({ manifest }) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/`);
  return found.manifest;
}

import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import type { Located, Manifest } from './manifests.ts';

export interface Workload {
  name: string;
  pod: IPodSpec;
  podLabels: Record<string, string>;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

/** The pod template of every workload in deploy/. */
export function workloads(manifests: Located[]): Workload[] {
  return manifests
    .map(({ manifest }) => manifest)
    .filter((manifest) => WORKLOAD_KINDS.has(manifest.kind))
    .map(workload);
}

export function workload(manifest: Manifest): Workload {
  const template = (manifest.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: IPodSpec } })
    .template;
  return { name: manifest.metadata.name, pod: template.spec, podLabels: template.metadata?.labels ?? {} };
}

/** Main containers and init containers, sidecars included. */
export function allContainers(pod: IPodSpec): IContainer[] {
  return [...(pod.initContainers ?? []), ...pod.containers];
}

export function container(pod: IPodSpec, name: string): IContainer {
  const found = allContainers(pod).find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

export function envOf(c: IContainer, name: string): string | undefined {
  return c.env?.find((variable) => variable.name === name)?.value;
}

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { parse, stringify } from 'yaml';
import { workspaceRoot } from '../manifests.ts';
import { prometheusRuleFile, rulesFile } from './monitoring-files.ts';

const GENERATOR = 'tools/deploy-check/src/monitoring/write-prometheus-rule.ts';

/**
 * The Prometheus Operator's PrometheusRule for the plain rules file: the same
 * groups, word for word, so the two cannot drift (a test compares the
 * committed file with this text). Formatted as the repository's prettier
 * formats it, so `prettier --check` and this comparison agree.
 */
export async function prometheusRuleText(rules = readFileSync(rulesFile, 'utf8')): Promise<string> {
  const { groups } = parse(rules) as { groups: unknown[] };
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'routemcp-gateway' },
    spec: { groups },
  };
  const header = [
    `# Generated from ${relative(workspaceRoot, rulesFile)} by \`node ${GENERATOR}\`: edit that file, not this one.`,
    "# Your Prometheus's ruleSelector must match this object: add its label (e.g. release: <helm release>)",
    '# in deploy/monitoring/kustomization.yaml.',
  ];
  const text = `${header.join('\n')}\n${stringify(manifest, { lineWidth: 0 })}`;
  const options = await resolveConfig(prometheusRuleFile);
  return format(text, { ...options, filepath: prometheusRuleFile });
}

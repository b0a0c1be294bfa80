import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from '../manifests.ts';
import { validateManifest } from '../validate-manifest.ts';
import { loadRules, prometheusRuleFile, rulesFile, rulesTestFile } from './monitoring-files.ts';
import { prometheusRuleText } from './prometheus-rule.ts';
import { promtool } from './promtool.ts';

const rules = loadRules().groups.flatMap((group) => group.rules);

describe('alert rules (deploy/monitoring/prometheus/routemcp-alerts.yml)', () => {
  it('pass promtool check rules', async () => {
    const result = await promtool(['check', 'rules', rulesFile]);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.ok).toBe(true);
  });

  it('pass their promtool unit tests', async () => {
    const result = await promtool(['test', 'rules', rulesTestFile], dirname(rulesTestFile));
    expect(result.output).toContain('SUCCESS');
    expect(result.ok, result.output).toBe(true);
  });

  it('have a promtool unit test for every alert', () => {
    const tests = parse(readFileSync(rulesTestFile, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const firing = new Set(
      tests.tests.flatMap((test) =>
        (test.alert_rule_test ?? []).filter((check) => check.exp_alerts.length > 0).map((check) => check.alertname),
      ),
    );
    const silent = new Set(
      tests.tests.flatMap((test) =>
        (test.alert_rule_test ?? []).filter((check) => check.exp_alerts.length === 0).map((check) => check.alertname),
      ),
    );
    for (const rule of rules) {
      expect(firing, `${rule.alert} is never tested firing`).toContain(rule.alert);
      expect(silent, `${rule.alert} is never tested silent`).toContain(rule.alert);
    }
  });

  it('each say how bad (severity) and where the runbook is, a section of docs/operating.md', () => {
    const operating = readFileSync(join(workspaceRoot, 'docs/operating.md'), 'utf8');
    const anchors = new Set(
      [...operating.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replaceAll(/[^\w\- ]/g, '')
          .replaceAll(' ', '-'),
      ),
    );
    for (const rule of rules) {
      expect(['critical', 'warning']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
      const runbook = rule.annotations?.runbook ?? '';
      expect(runbook).toBe(`docs/operating.md#${rule.alert.toLowerCase()}`);
      expect(anchors, `docs/operating.md has no heading for ${rule.alert}`).toContain(rule.alert.toLowerCase());
    }
  });
});

describe('the PrometheusRule (deploy/monitoring/prometheus-rule.yaml)', () => {
  it('is the plain rules file, generated (run write-prometheus-rule.ts after editing the rules)', async () => {
    expect(readFileSync(prometheusRuleFile, 'utf8')).toBe(await prometheusRuleText());
  });

  it('holds the same groups as the plain file, field for field', () => {
    const manifest = parse(readFileSync(prometheusRuleFile, 'utf8')) as { spec: { groups: unknown } };
    expect(manifest.spec.groups).toEqual(loadRules().groups);
  });

  it("validates against the Prometheus Operator's schema", async () => {
    await validateManifest(parse(readFileSync(prometheusRuleFile, 'utf8')));
  });
});

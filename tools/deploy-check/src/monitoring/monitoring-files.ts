import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { deployDir } from '../manifests.ts';

export const monitoringDir = join(deployDir, 'monitoring');
export const dashboardFile = join(monitoringDir, 'grafana/routemcp-gateway.json');
export const rulesFile = join(monitoringDir, 'prometheus/routemcp-alerts.yml');
export const rulesTestFile = join(monitoringDir, 'prometheus/routemcp-alerts.test.yml');
export const prometheusRuleFile = join(monitoringDir, 'prometheus-rule.yaml');

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Target {
  expr: string;
  legendFormat?: string;
  refId: string;
  datasource?: { type: string; uid: string };
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: GridPos;
  datasource?: { type: string; uid: string };
  fieldConfig?: {
    defaults?: {
      unit?: string;
      min?: number;
      max?: number;
      mappings?: ValueMapping[];
      thresholds?: { steps: { color: string; value: number | null }[] };
      custom?: { stacking?: { mode?: string } };
    };
  };
  targets?: Target[];
}

export interface ValueMapping {
  type: string;
  options: Record<string, { text: string; color?: string }>;
}

export interface Dashboard {
  title: string;
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown }[] };
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RulesFile {
  groups: { name: string; rules: AlertRule[] }[];
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;
}

export function loadRules(): RulesFile {
  return parse(readFileSync(rulesFile, 'utf8')) as RulesFile;
}

/** Every PromQL expression of the dashboard's panels and of the alert rules, named for messages. */
export function monitoringExpressions(): { where: string; expr: string }[] {
  const panels = loadDashboard().panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}" ${target.refId}`, expr: target.expr })),
  );
  const rules = loadRules().groups.flatMap((group) =>
    group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
  );
  return [...panels, ...rules];
}

// Writes deploy/monitoring/prometheus-rule.yaml from the plain rules file.
// usage: node tools/deploy-check/src/monitoring/write-prometheus-rule.ts
import { writeFileSync } from 'node:fs';
import { prometheusRuleFile } from './monitoring-files.ts';
import { prometheusRuleText } from './prometheus-rule.ts';

writeFileSync(prometheusRuleFile, await prometheusRuleText());

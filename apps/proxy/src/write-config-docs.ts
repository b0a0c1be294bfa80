import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderTable, replaceSection } from '@routemcp/config-docs';
import { proxyVariables } from './config-docs.ts';

/** Writes the proxy's variables into docs/configuration.md (`npm run docs:config`). */
const page = resolve(import.meta.dirname, '../../../docs/configuration.md');
writeFileSync(page, replaceSection(readFileSync(page, 'utf8'), 'proxy', renderTable(proxyVariables)));

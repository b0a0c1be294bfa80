import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderTable, sectionOf } from '@routemcp/config-docs';
import { describe, expect, it } from 'vitest';
import { keystoreVariables } from './config-docs.ts';

describe('docs/configuration.md', () => {
  it('lists every variable the keystore reads, as config-docs.ts describes it (npm run docs:config rewrites it)', () => {
    const page = readFileSync(resolve(import.meta.dirname, '../../../docs/configuration.md'), 'utf8');
    expect(sectionOf(page, 'keystore')).toBe(renderTable(keystoreVariables));
  });
});

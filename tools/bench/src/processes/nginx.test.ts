import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCS_AUTH_CONFIG, renderNginxAuthConfig } from './nginx.ts';

const docsConfig = readFileSync(DOCS_AUTH_CONFIG, 'utf8');
const input = { dir: '/tmp/x', port: 40001, upstreamPort: 40002, authzPort: 40003, docsConfig };

describe('renderNginxAuthConfig', () => {
  it("runs the docs' forward-auth config with only its three addresses replaced", () => {
    const config = renderNginxAuthConfig(input);
    expect(config).toContain('listen 127.0.0.1:40001;');
    expect(config).toContain('server 127.0.0.1:40003;');
    expect(config).toContain('proxy_pass http://127.0.0.1:40002;');
    // Its comments still name the docs' ports; no directive does.
    const directives = config.split('\n').filter((line) => !line.trim().startsWith('#'));
    expect(directives.filter((line) => /8080|5004|5002/.test(line))).toEqual([]);
    // Everything else as an operator copies it: the auth_request and the identity it passes on.
    expect(config).toContain('auth_request /_routemcp_authz;');
    expect(config).toContain('proxy_set_header Authorization "";');
    expect(config.match(/^http \{$/gm)).toHaveLength(1);
    expect(config.trimEnd().endsWith('}\n}')).toBe(true);
  });

  it('refuses a docs config whose addresses moved, rather than measure something else', () => {
    expect(() =>
      renderNginxAuthConfig({ ...input, docsConfig: docsConfig.replace('listen 8080;', 'listen 80;') }),
    ).toThrow(/"listen 8080;" exactly once/);
  });
});

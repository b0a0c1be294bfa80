import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { isLoopback } from './oidc-config.ts';

const base = { KEYSTORE_SERVICE_TOKEN: 'service-token-0123456789' };
const sso = {
  ...base,
  KEYSTORE_PUBLIC_URL: 'https://keys.example.com/',
  KEYSTORE_OIDC_ISSUER: 'https://idp.example.com/realms/acme',
  KEYSTORE_OIDC_CLIENT_ID: 'routemcp',
  KEYSTORE_OIDC_CLIENT_SECRET: 'client-secret-0123456789',
};

describe('single sign-on configuration', () => {
  it('is off when none of issuer, client id and secret is set', () => {
    expect(loadConfig(base)).toMatchObject({ oidc: undefined, passwordLogin: true });
  });

  it('reads all of it, with the redirect URI under KEYSTORE_PUBLIC_URL and viewer as the default role', () => {
    const config = loadConfig({ ...sso, KEYSTORE_OIDC_ALLOWED_DOMAINS: ' Example.com, example.org ' });
    expect(config.publicUrl).toBe('https://keys.example.com');
    expect(config.oidc).toEqual({
      issuer: 'https://idp.example.com/realms/acme',
      clientId: 'routemcp',
      clientSecret: 'client-secret-0123456789',
      redirectUri: 'https://keys.example.com/login/oidc/callback',
      defaultRole: 'viewer',
      allowedDomains: ['example.com', 'example.org'],
      allowInsecure: false,
    });
    expect(loadConfig({ ...sso, KEYSTORE_OIDC_DEFAULT_ROLE: 'developer' }).oidc?.defaultRole).toBe('developer');
  });

  it.each([
    ['KEYSTORE_OIDC_ISSUER', /^KEYSTORE_OIDC_ISSUER: expected .* set together .*, it is unset$/],
    ['KEYSTORE_OIDC_CLIENT_ID', /^KEYSTORE_OIDC_CLIENT_ID: expected /],
    ['KEYSTORE_OIDC_CLIENT_SECRET', /^KEYSTORE_OIDC_CLIENT_SECRET: expected /],
  ])('names %s when it alone is missing', (name, message) => {
    expect(() => loadConfig({ ...sso, [name]: undefined })).toThrow(message);
  });

  it('names both missing variables when only the issuer is set', () => {
    expect(() => loadConfig({ ...base, KEYSTORE_OIDC_ISSUER: sso.KEYSTORE_OIDC_ISSUER })).toThrow(
      /^KEYSTORE_OIDC_CLIENT_ID, KEYSTORE_OIDC_CLIENT_SECRET: expected .*, they are unset$/,
    );
  });

  it.each(['http://idp.example.com', 'http://10.0.0.5:8080', 'http://[fd00::1]:8080', 'http://127.example.com'])(
    'refuses the http:// issuer %s (not loopback)',
    (issuer) => {
      expect(() => loadConfig({ ...sso, KEYSTORE_OIDC_ISSUER: issuer })).toThrow(
        /^KEYSTORE_OIDC_ISSUER: expected an https:\/\/ issuer \(http:\/\/ only on a loopback address/,
      );
    },
  );

  it.each(['http://127.0.0.1:9000', 'http://localhost:9000/oidc', 'http://[::1]:9000'])(
    'accepts the loopback http:// issuer %s, marked insecure',
    (issuer) => {
      expect(loadConfig({ ...sso, KEYSTORE_OIDC_ISSUER: issuer }).oidc?.allowInsecure).toBe(true);
    },
  );

  it('requires KEYSTORE_PUBLIC_URL, an origin without a path', () => {
    expect(() => loadConfig({ ...sso, KEYSTORE_PUBLIC_URL: undefined })).toThrow(/^KEYSTORE_PUBLIC_URL: expected /);
    expect(() => loadConfig({ ...sso, KEYSTORE_PUBLIC_URL: 'https://keys.example.com/dashboard' })).toThrow(
      /^KEYSTORE_PUBLIC_URL: expected /,
    );
  });

  it('refuses a bad role or domain list, and never echoes the client secret', () => {
    expect(() => loadConfig({ ...sso, KEYSTORE_OIDC_DEFAULT_ROLE: 'root' })).toThrow(
      'KEYSTORE_OIDC_DEFAULT_ROLE: expected one of owner, admin, developer, viewer, got "root"',
    );
    expect(() => loadConfig({ ...sso, KEYSTORE_OIDC_ALLOWED_DOMAINS: 'example.com,@evil' })).toThrow(
      /^KEYSTORE_OIDC_ALLOWED_DOMAINS: /,
    );
    const secret = 's'.repeat(1025);
    expect(() => loadConfig({ ...sso, KEYSTORE_OIDC_CLIENT_SECRET: secret })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });

  it('switches password login off only when SSO is configured', () => {
    expect(loadConfig({ ...sso, KEYSTORE_PASSWORD_LOGIN: 'off' }).passwordLogin).toBe(false);
    expect(() => loadConfig({ ...base, KEYSTORE_PASSWORD_LOGIN: 'off' })).toThrow(
      /^KEYSTORE_PASSWORD_LOGIN: expected on while single sign-on is not configured/,
    );
    expect(() => loadConfig({ ...sso, KEYSTORE_PASSWORD_LOGIN: 'no' })).toThrow(/^KEYSTORE_PASSWORD_LOGIN: /);
  });
});

describe('isLoopback', () => {
  it.each([
    ['localhost', true],
    ['app.localhost', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['[::1]', true],
    ['::1', true],
    ['localhost.example.com', false],
    ['128.0.0.1', false],
    ['::', false],
    ['0.0.0.0', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });
});

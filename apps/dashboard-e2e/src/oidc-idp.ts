import { createServer, type Server } from 'node:http';
import { Provider } from 'oidc-provider';

export interface TestIdp extends AsyncDisposable {
  issuer: string;
}

export interface TestIdpOptions {
  /** Loopback port to listen on (the issuer must be known before the keystore starts). */
  port: number;
  /** The host name in the issuer: `localhost`, another site than the keystore's 127.0.0.1. */
  host: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Login names whose email the provider has not verified. */
  unverified: readonly string[];
}

/**
 * panva's oidc-provider on 127.0.0.1 as a real OpenID Provider, with its
 * development login and consent screens (any login name, any password).
 * Every login name `x` is the account `x@acme.test`.
 */
export async function startTestIdp(options: TestIdpOptions): Promise<TestIdp> {
  const issuer = `http://${options.host}:${options.port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({
        sub: id,
        email: `${id}@acme.test`,
        email_verified: !options.unverified.includes(id),
        name: id,
      }),
    }),
    cookies: { keys: ['oidc-provider-test-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  return {
    issuer,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

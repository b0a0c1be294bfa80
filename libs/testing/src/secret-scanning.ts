import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One GitHub report match, as GitHub posts it. */
export interface SecretScanningMatch {
  token: string;
  type: string;
  url: string;
  source: string;
}

export interface FakeSecretScanning extends AsyncDisposable {
  /** Where the public keys are served: a KEYSTORE_GITHUB_KEYS_URL. */
  keysUrl: string;
  /** The identifier of the key `sign` uses now. */
  keyIdentifier(): string;
  /** GitHub's `Github-Public-Key-Signature`: ECDSA P-256, SHA-256, DER, base64, over these bytes. */
  sign(body: string | Buffer): string;
  /** POSTs `body` (the exact bytes) to `url`, signed over `signedBody` (default: the same bytes). */
  post(url: string, body: string, options?: { signedBody?: string; identifier?: string }): Promise<Response>;
  /** The keys URL answers this status (and no keys) from now on; 200 serves the keys again. */
  answer(status: number): void;
  /** A new signing key, listed beside the old ones: GitHub rotating. */
  rotate(): void;
  /** How many times the keys URL was asked. */
  fetches(): number;
  close(): Promise<void>;
}

interface SigningKey {
  identifier: string;
  privateKey: KeyObject;
  pem: string;
}

function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    identifier: randomBytes(32).toString('hex'),
    privateKey,
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * GitHub's secret-scanning side on 127.0.0.1, port 0, with a P-256 key of
 * its own: serves the public keys as `GET /meta/public_keys/secret_scanning`
 * does and signs reports as GitHub signs them.
 */
export async function startSecretScanning(): Promise<FakeSecretScanning> {
  const keys: SigningKey[] = [newSigningKey()];
  let status = 200;
  let fetches = 0;
  const server = createServer((req, res) => {
    fetches++;
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '60' } : {}) });
      res.end('{"message":"API rate limit exceeded"}');
      return;
    }
    const body = {
      public_keys: keys.map((key, i) => ({
        key_identifier: key.identifier,
        key: key.pem,
        is_current: i === keys.length - 1,
      })),
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const current = () => keys[keys.length - 1] as SigningKey;
  const signWith = (key: SigningKey, body: string | Buffer) =>
    sign('sha256', Buffer.from(body), { key: key.privateKey, dsaEncoding: 'der' }).toString('base64');
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  return {
    keysUrl: `http://127.0.0.1:${port}/meta/public_keys/secret_scanning`,
    keyIdentifier: () => current().identifier,
    sign: (body) => signWith(current(), body),
    post: (url, body, options = {}) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'github-public-key-identifier': options.identifier ?? current().identifier,
          'github-public-key-signature': signWith(current(), options.signedBody ?? body),
        },
        body,
      }),
    answer: (next) => {
      status = next;
    },
    rotate: () => {
      keys.push(newSigningKey());
    },
    fetches: () => fetches,
    close,
    [Symbol.asyncDispose]: close,
  };
}

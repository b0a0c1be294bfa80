import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, type Client, type GrpcObject, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** What the tests read of a CheckResponse. */
export interface CheckAnswer {
  httpResponse?: 'okResponse' | 'deniedResponse';
  okResponse?: { headers?: { header?: { key?: string; value?: string } }[] };
  deniedResponse?: {
    status?: { code?: string };
    headers?: { header?: { key?: string; value?: string } }[];
    body?: string;
  };
}

type CheckClient = Client & {
  Check(request: object, callback: (err: ServiceError | null, response: CheckAnswer) => void): void;
};

/**
 * Plays Envoy's ext_authz filter against a proxy's AUTHZ_GRPC_PORT, with a
 * client built from Envoy's own protos as @grpc/grpc-js-xds ships them
 * (the proxy reads the same files; an app may not import another's code).
 */
export class EnvoyCheck {
  readonly #client: CheckClient;

  constructor(port: number) {
    const deps = join(dirname(createRequire(import.meta.url).resolve('@grpc/grpc-js-xds/package.json')), 'deps');
    const definition = loadSync('envoy/service/auth/v3/external_auth.proto', {
      keepCase: false,
      enums: String,
      defaults: false,
      oneofs: true,
      includeDirs: ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((dir) => join(deps, dir)),
    });
    const v3 = (
      ((loadPackageDefinition(definition)['envoy'] as GrpcObject)['service'] as GrpcObject)['auth'] as GrpcObject
    )['v3'] as GrpcObject;
    const Authorization = v3['Authorization'] as unknown as new (address: string, creds: unknown) => CheckClient;
    this.#client = new Authorization(`127.0.0.1:${port}`, credentials.createInsecure());
  }

  check(path: string, key: string | undefined, method = 'GET'): Promise<CheckAnswer> {
    const headers: Record<string, string> = { ':authority': 'api.example.com', ':method': method, ':path': path };
    if (key !== undefined) headers['authorization'] = `Bearer ${key}`;
    const request = {
      attributes: {
        source: { address: { socketAddress: { address: '127.0.0.1', portValue: 40000 } } },
        request: { http: { method, path, host: 'api.example.com', headers } },
      },
    };
    return new Promise((resolve, reject) =>
      this.#client.Check(request, (err, answer) => (err === null ? resolve(answer) : reject(err))),
    );
  }

  /** `200` for an ok_response, else the denied HTTP status's name (`Unauthorized`, `TooManyRequests`, …). */
  async statusOf(path: string, key: string | undefined): Promise<string> {
    const answer = await this.check(path, key);
    return answer.httpResponse === 'okResponse' ? '200' : (answer.deniedResponse?.status?.code ?? 'none');
  }

  close(): void {
    this.#client.close();
  }
}

import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadAuthorizationService } from '../authz/grpc-protos.ts';

/** A CheckResponse as a client decodes it from Envoy's protos (the same loader options as the server's). */
export interface DecodedCheck {
  status?: { code?: number; message?: string };
  httpResponse?: 'okResponse' | 'deniedResponse';
  okResponse?: {
    headers?: { header?: { key?: string; value?: string }; appendAction?: string }[];
    headersToRemove?: string[];
    responseHeadersToAdd?: { header?: { key?: string; value?: string } }[];
  };
  deniedResponse?: {
    status?: { code?: string };
    headers?: { header?: { key?: string; value?: string } }[];
    body?: string;
  };
}

/** The original request as Envoy describes it: `path` is sent as is (path and query). */
export interface EnvoyRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** Envoy's peer: the `source` address. */
  source?: string;
}

interface CallHandle {
  cancel(): void;
}

type CheckClient = Client & {
  Check(request: object, callback: (err: ServiceError | null, response: DecodedCheck) => void): CallHandle;
};

/** A `@grpc/grpc-js` client of `envoy.service.auth.v3.Authorization`, sending what Envoy's ext_authz filter sends. */
export class EnvoyCheckClient {
  readonly #client: CheckClient;

  constructor(port: number) {
    const Authorization = loadAuthorizationService();
    // A client made from a loaded definition is typed by method name only (ServiceClient's index signature).
    this.#client = new Authorization(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as CheckClient;
  }

  /** Resolves to the decoded answer; `started` receives the call, to cancel it as Envoy does past its timeout. */
  check(request: EnvoyRequest, started?: (call: CallHandle) => void): Promise<DecodedCheck> {
    return new Promise((resolve, reject) => {
      const call = this.#client.Check(checkRequest(request), (err, response) =>
        err === null ? resolve(response) : reject(err),
      );
      started?.(call);
    });
  }

  close(): void {
    this.#client.close();
  }
}

function checkRequest({ method = 'GET', path, headers = {}, source = '127.0.0.1' }: EnvoyRequest): object {
  return {
    attributes: {
      source: { address: { socketAddress: { address: source, portValue: 40000 } } },
      request: {
        http: {
          method,
          path,
          host: 'api.example.com',
          headers: { ':authority': 'api.example.com', ':method': method, ':path': path, ...headers },
        },
      },
    },
  };
}

/** A list of HeaderValueOptions as a plain name → value record. */
export function headerRecord(
  options: { header?: { key?: string; value?: string } }[] | undefined,
): Record<string, string> {
  return Object.fromEntries((options ?? []).map(({ header }) => [header!.key!, header!.value!]));
}

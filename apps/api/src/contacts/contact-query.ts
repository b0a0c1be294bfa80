import { isProvider, PROVIDERS, type Provider } from './contact.ts';

export interface ContactQuery {
  provider: Provider;
  limit: number | undefined;
  q: string | undefined;
}

export type ParsedContactQuery = { ok: true; query: ContactQuery } | { ok: false; message: string };

const MAX_LIMIT = 100;
// Only short, plain values are repeated back; anything else could be a pasted secret or markup.
const ECHOABLE = /^[\w.-]{1,32}$/;

/** Validates `provider`, `limit` and `q`; failures are values carrying the 400 message. */
export function parseContactQuery(params: URLSearchParams): ParsedContactQuery {
  const provider = params.get('provider');
  if (provider === null || provider === '') {
    return { ok: false, message: 'provider is required (hubspot, salesforce or pipedrive)' };
  }
  if (!isProvider(provider)) {
    const named = ECHOABLE.test(provider) ? `unknown provider "${provider}"` : 'unknown provider';
    return { ok: false, message: `${named}: use ${PROVIDERS.slice(0, -1).join(', ')} or ${PROVIDERS.at(-1)}` };
  }

  let limit: number | undefined;
  const rawLimit = params.get('limit');
  if (rawLimit !== null) {
    limit = /^\d+$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) {
      return { ok: false, message: `limit must be an integer between 1 and ${MAX_LIMIT}` };
    }
  }

  const q = params.get('q')?.trim();
  return { ok: true, query: { provider, limit, q: q === '' ? undefined : q } };
}

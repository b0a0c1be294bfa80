export const PROVIDERS = ['hubspot', 'salesforce', 'pipedrive'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Which data set a request sees: the proxy says so in X-RouteMCP-Environment. */
export type DataSet = 'live' | 'sandbox';

export interface Contact {
  id: string;
  provider: Provider;
  firstName: string;
  lastName: string;
  email: string;
  company: string;
  phone: string;
  createdAt: string;
}

export function isProvider(value: string): value is Provider {
  return (PROVIDERS as readonly string[]).includes(value);
}

import type { Contact, DataSet, Provider } from './contact.ts';

type Row = readonly [firstName: string, lastName: string, company: string, domain: string];

/*
 * Fixed data, so responses are identical on every run and in every test.
 * "Live" uses invented companies on reserved `.example` domains and 555-01xx
 * numbers (fictional by convention) so nothing points at a real person.
 */
const LIVE_ROWS: Record<Provider, readonly Row[]> = {
  hubspot: [
    ['Maya', 'Okafor', 'Northwind Logistics', 'northwind.example'],
    ['Lucas', 'Brennan', 'Bluefin Analytics', 'bluefin.example'],
    ['Priya', 'Raman', 'Cedar & Pine Studio', 'cedarpine.example'],
    ['Tomás', 'Herrera', 'Lumen Health', 'lumenhealth.example'],
    ['Hannah', 'Schulz', 'Quarry Robotics', 'quarry.example'],
  ],
  salesforce: [
    ['Daniel', 'Kim', 'Harbor Freight Partners', 'harborpartners.example'],
    ['Amara', 'Nwosu', 'Solstice Energy', 'solstice.example'],
    ['Elena', 'Petrova', 'Granite Capital', 'granitecap.example'],
    ['James', 'Whitfield', 'Orchard Foods', 'orchardfoods.example'],
    ['Sofia', 'Marchetti', 'Vela Aerospace', 'vela.example'],
  ],
  pipedrive: [
    ['Noah', 'Lindqvist', 'Fjord Outdoor', 'fjord.example'],
    ['Aisha', 'Rahman', 'Copperleaf Design', 'copperleaf.example'],
    ['Mateo', 'Silva', 'Brightpath Tutoring', 'brightpath.example'],
    ['Chloé', 'Dubois', 'Atelier Moreau', 'ateliermoreau.example'],
    ['Kenji', 'Watanabe', 'Tanuki Games', 'tanuki.example'],
  ],
};

const ID_PREFIX: Record<Provider, string> = { hubspot: 'hs', salesforce: 'sf', pipedrive: 'pd' };
const PROVIDER_NAME: Record<Provider, string> = {
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
  pipedrive: 'Pipedrive',
};

function liveContacts(provider: Provider): Contact[] {
  return LIVE_ROWS[provider].map(([firstName, lastName, company, domain], index) => ({
    id: `${ID_PREFIX[provider]}_${String(1042 + index * 317)}`,
    provider,
    firstName,
    lastName,
    email: `${firstName
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase()}@${domain}`,
    company,
    phone: `+1 415 555 01${String(10 + index * 7).padStart(2, '0')}`,
    createdAt: new Date(Date.UTC(2024, index * 2, 3 + index * 4, 9 + index, 15)).toISOString(),
  }));
}

const SANDBOX_NAMES = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin'] as const;

function sandboxContacts(provider: Provider): Contact[] {
  return SANDBOX_NAMES.map((name, index) => ({
    id: `test_${ID_PREFIX[provider]}_${index + 1}`,
    provider,
    firstName: 'Test',
    lastName: name,
    email: `test.${name.toLowerCase()}@example.com`,
    company: `Test Company ${index + 1} (${PROVIDER_NAME[provider]} sandbox)`,
    phone: `+1 555 000 000${index + 1}`,
    createdAt: new Date(Date.UTC(2025, 0, 1 + index)).toISOString(),
  }));
}

/** Every contact, by data set and provider; built once per server, never mutated. */
export function buildFixtures(): Record<DataSet, Record<Provider, readonly Contact[]>> {
  const build = (make: (provider: Provider) => Contact[]) => ({
    hubspot: make('hubspot'),
    salesforce: make('salesforce'),
    pipedrive: make('pipedrive'),
  });
  return { live: build(liveContacts), sandbox: build(sandboxContacts) };
}

import { describe, expect, it } from 'vitest';
import { PROVIDERS } from './contact.ts';
import { buildFixtures } from './fixtures.ts';
import { listContacts } from './list-contacts.ts';

const fixtures = buildFixtures();
const all = { limit: undefined, q: undefined };

describe('listContacts', () => {
  it('gives every provider five contacts in both data sets, all tagged with the provider', () => {
    for (const provider of PROVIDERS) {
      for (const dataSet of ['live', 'sandbox'] as const) {
        const contacts = listContacts(fixtures, dataSet, { provider, ...all });
        expect(contacts).toHaveLength(5);
        expect(contacts.every((contact) => contact.provider === provider)).toBe(true);
      }
    }
  });

  it('keeps sandbox data clearly fake and distinct from live data', () => {
    for (const provider of PROVIDERS) {
      const sandbox = listContacts(fixtures, 'sandbox', { provider, ...all });
      const live = listContacts(fixtures, 'live', { provider, ...all });
      for (const contact of sandbox) {
        expect(contact.id).toMatch(/^test_/);
        expect(contact.email).toMatch(/@example\.com$/);
        expect(contact.firstName).toBe('Test');
      }
      const sandboxIds = new Set(sandbox.map((contact) => contact.id));
      expect(live.some((contact) => sandboxIds.has(contact.id) || contact.id.startsWith('test_'))).toBe(false);
    }
  });

  it('is deterministic', () => {
    expect(buildFixtures()).toEqual(fixtures);
  });

  it('filters by q across name, email and company, case-insensitively', () => {
    const result = listContacts(fixtures, 'live', { provider: 'hubspot', limit: undefined, q: 'NORTHWIND' });
    expect(result.map((contact) => contact.company)).toEqual(['Northwind Logistics']);
  });

  it('cuts the list to limit', () => {
    expect(listContacts(fixtures, 'live', { provider: 'salesforce', limit: 2, q: undefined })).toHaveLength(2);
  });
});

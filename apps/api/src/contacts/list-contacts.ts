import type { Contact, DataSet, Provider } from './contact.ts';
import type { ContactQuery } from './contact-query.ts';

export type ContactFixtures = Record<DataSet, Record<Provider, readonly Contact[]>>;

/** The provider's contacts in the chosen data set, filtered by `q` (case-insensitive substring) and cut to `limit`. */
export function listContacts(fixtures: ContactFixtures, dataSet: DataSet, query: ContactQuery): Contact[] {
  const needle = query.q?.toLowerCase();
  const matches = fixtures[dataSet][query.provider].filter(
    (contact) =>
      needle === undefined ||
      [contact.firstName, contact.lastName, contact.email, contact.company].some((field) =>
        field.toLowerCase().includes(needle),
      ),
  );
  return matches.slice(0, query.limit ?? matches.length);
}

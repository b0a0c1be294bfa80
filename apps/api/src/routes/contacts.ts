import type { IncomingMessage } from 'node:http';
import { writeError, writeSuccess } from '@routemcp/errors';
import type { DataSet } from '../contacts/contact.ts';
import { parseContactQuery } from '../contacts/contact-query.ts';
import { listContacts, type ContactFixtures } from '../contacts/list-contacts.ts';
import type { Handler } from './route.ts';

/** Test keys see the sandbox: the proxy marks their requests `X-RouteMCP-Environment: test`. */
export function dataSetOf(req: IncomingMessage): DataSet {
  const environment = req.headers['x-routemcp-environment'];
  return typeof environment === 'string' && environment.trim().toLowerCase() === 'test' ? 'sandbox' : 'live';
}

export function createContactsHandler(fixtures: ContactFixtures): Handler {
  return (req, res, url) => {
    const parsed = parseContactQuery(url.searchParams);
    if (!parsed.ok) {
      writeError(res, 'BAD_REQUEST', { message: parsed.message });
      return;
    }
    writeSuccess(res, listContacts(fixtures, dataSetOf(req), parsed.query));
  };
}

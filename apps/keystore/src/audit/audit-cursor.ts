const SEQ = /^(0|[1-9][0-9]{0,15})$/;

/**
 * Where a page of the audit log ends: base64url of the last entry's seq. It
 * carries a position only, never an account or a filter, so a cursor taken
 * from one account's page shows another caller nothing of that account: the
 * caller's own scope and filters are applied again on every page.
 */
export function encodeCursor(seq: number): string {
  return Buffer.from(String(seq)).toString('base64url');
}

/** The seq, or undefined for anything `encodeCursor` did not write. */
export function decodeCursor(cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // Node's decoder skips what is not base64url; re-encoding shows whether anything was skipped.
  const seq = Number(text);
  if (!SEQ.test(text) || !Number.isSafeInteger(seq) || encodeCursor(seq) !== cursor) return undefined;
  return seq;
}

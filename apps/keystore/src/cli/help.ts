export const USAGE = `Usage: npm run keys -- <command> [options]

Manages keys directly in the keystore database: PostgreSQL when KEYSTORE_DATABASE_URL is set,
else the SQLite file KEYSTORE_DB (default ./data/keystore.sqlite), as the server reads them.
Works with the keystore running or stopped; running replicas stream the changes to proxies.

Commands:
  create --env live|test [--name N] [--account A] [--expires-at T] [settings] [--json]
  update <id> [settings] [--clear FIELD]... [--json]
  list [--json]
  revoke <id> [--json]
  roll <id> [--grace-seconds N] [--json]

Run "npm run keys -- <command> --help" for details.
`;

/** The settings of create and update (SETTING_OPTIONS in key-flags.ts). */
const SETTINGS = `  --name N              a label, at most 100 characters
  --capacity N          one token bucket: size, integer 1..1000000 (with --refill)
  --refill N            tokens per second, > 0 (with --capacity)
  --owner O             the customer (ownerId): 1-64 of A-Z a-z 0-9 . _ : @ -;
                        forwarded as X-RouteMCP-Owner-Id; shared limits count per owner
  --permission P        "METHOD /path" the key may call (repeat for more); METHOD a method
                        or *; path segments literal or *, a trailing /** any rest.
                        Without any: everything is allowed
  --allowed-ip A        an IPv4/IPv6 address or CIDR the key works from (repeat for more)
  --rate-limit SPEC     a named bucket, NAME:CAPACITY:REFILL[:shared][:shadow] (repeat for
                        more); all must admit a request. shared: one bucket per owner;
                        shadow: counted, never refuses. Not together with --capacity
  --quota-limit N       requests per period, integer 1..10^12 (with --quota-period)
  --quota-period P      day, month or total (UTC)
  --quota-shared        the quota counts every key of the owner
  --metadata JSON       a JSON object of at most 1 KiB, forwarded as X-RouteMCP-Key-Meta
  --json                print the result as JSON
`;

export const HELP: Record<string, string> = {
  create: `Usage: npm run keys -- create --env live|test [options]

Issues a key and prints it once; only its hash is stored.
  --env live|test       environment (required)
  --account A           account id (created when missing; default: the default account)
  --expires-at T        ISO-8601 time when the key stops working, e.g. 2026-12-01T00:00:00Z
${SETTINGS}`,
  update: `Usage: npm run keys -- update <id> [options]

Changes a key: only the settings given change (a list flag replaces the whole list).
Every proxy fetches the key again at once (an "updated" change event).
${SETTINGS}  --clear FIELD         reset one (repeat for more): name, rate-limit, owner, permissions,
                        allowed-ips, rate-limits, quota, metadata
`,
  list: `Usage: npm run keys -- list [--json]

Lists every key, newest first. Never prints a key, only its hint.
`,
  revoke: `Usage: npm run keys -- revoke <id> [--json]

Revokes a key at once (idempotent).
`,
  roll: `Usage: npm run keys -- roll <id> [--grace-seconds N] [--json]

Issues a replacement key with every setting, policy and the expiry of the old one, and
prints it once. The old key keeps working for --grace-seconds (0..604800, default 0:
revoked at once).
`,
};

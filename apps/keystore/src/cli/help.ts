export const USAGE = `Usage: npm run keys -- <command> [options]

Manages keys directly in the keystore database: PostgreSQL when KEYSTORE_DATABASE_URL is set,
else the SQLite file KEYSTORE_DB (default ./data/keystore.sqlite), as the server reads them.
Works with the keystore running or stopped; running replicas stream the changes to proxies.

Commands:
  create --env live|test [--name N] [--account A] [--capacity N --refill N] [--json]
  list [--json]
  revoke <id> [--json]
  roll <id> [--grace-seconds N] [--json]

Run "npm run keys -- <command> --help" for details.
`;

export const HELP: Record<string, string> = {
  create: `Usage: npm run keys -- create --env live|test [options]

Issues a key and prints it once; only its hash is stored.
  --env live|test     environment (required)
  --name N            a label, at most 100 characters
  --account A         account id (created when missing; default: the default account)
  --capacity N        token bucket size, integer 1..1000000 (with --refill)
  --refill N          tokens per second, > 0 (with --capacity)
  --json              print the result as JSON
`,
  list: `Usage: npm run keys -- list [--json]

Lists every key, newest first. Never prints a key, only its hint.
`,
  revoke: `Usage: npm run keys -- revoke <id> [--json]

Revokes a key at once (idempotent).
`,
  roll: `Usage: npm run keys -- roll <id> [--grace-seconds N] [--json]

Issues a replacement key and prints it once. The old key keeps working for
--grace-seconds (0..604800, default 0: revoked at once).
`,
};

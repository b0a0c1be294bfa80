/**
 * Management roles of an account, from most to least trusted. `owner` may do
 * everything including the team and who is owner; `admin` keys and members
 * except owners; `developer` keys only; `viewer` reads and changes nothing.
 */
export const ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** What a management call or dashboard action needs. One table decides it: `GRANTS`. */
export type Permission =
  | 'keys.read'
  | 'keys.write'
  | 'usage.read'
  | 'audit.read'
  | 'members.read'
  | 'members.write'
  | 'owners.write'
  | 'tokens.write'
  | 'webhooks.read'
  | 'webhooks.write'
  | 'leaks.report';

const READ: readonly Permission[] = ['keys.read', 'usage.read', 'audit.read', 'members.read', 'webhooks.read'];

const GRANTS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  owner: new Set<Permission>([
    ...READ,
    'keys.write',
    'members.write',
    'owners.write',
    'tokens.write',
    'webhooks.write',
    'leaks.report',
  ]),
  admin: new Set<Permission>([...READ, 'keys.write', 'members.write', 'webhooks.write', 'leaks.report']),
  developer: new Set<Permission>([...READ, 'keys.write', 'leaks.report']),
  viewer: new Set<Permission>(READ),
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

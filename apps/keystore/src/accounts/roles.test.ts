import { describe, expect, it } from 'vitest';
import { can, isRole, ROLES, type Permission } from './roles.ts';

describe('roles', () => {
  it('gives each role exactly its permissions', () => {
    const writes: Permission[] = ['keys.write', 'members.write', 'owners.write', 'tokens.write', 'webhooks.write'];
    const table = Object.fromEntries(ROLES.map((role) => [role, writes.filter((p) => can(role, p))]));
    expect(table).toEqual({
      owner: ['keys.write', 'members.write', 'owners.write', 'tokens.write', 'webhooks.write'],
      admin: ['keys.write', 'members.write', 'webhooks.write'],
      developer: ['keys.write'],
      viewer: [],
    });
  });

  it('lets every role read keys, usage and the audit log', () => {
    for (const role of ROLES) {
      expect([can(role, 'keys.read'), can(role, 'usage.read'), can(role, 'audit.read')]).toEqual([true, true, true]);
    }
  });

  it('recognises only the four role names', () => {
    expect(ROLES.filter(isRole)).toEqual([...ROLES]);
    expect([isRole('Owner'), isRole('root'), isRole(undefined)]).toEqual([false, false, false]);
  });
});

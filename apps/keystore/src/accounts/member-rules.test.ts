import { describe, expect, it } from 'vitest';
import { mayAssign, newPasswordProblem } from './member-rules.ts';
import { ROLES } from './roles.ts';

describe('mayAssign', () => {
  it('lets owners do everything, admins everything but owners, developers and viewers nothing', () => {
    const table = Object.fromEntries(
      ROLES.map((actor) => [
        actor,
        [
          mayAssign(actor, { to: 'developer' }),
          mayAssign(actor, { to: 'owner' }),
          mayAssign(actor, { from: 'owner', to: 'viewer' }),
          mayAssign(actor, { from: 'owner' }),
          mayAssign(actor, { from: 'admin' }),
        ],
      ]),
    );
    expect(table).toEqual({
      owner: [undefined, undefined, undefined, undefined, undefined],
      admin: [undefined, 'owners_only', 'owners_only', 'owners_only', undefined],
      developer: ['forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden'],
      viewer: ['forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden'],
    });
  });
});

describe('newPasswordProblem', () => {
  it('refuses fewer than 12 characters, more than 1024, and two different entries', () => {
    expect(newPasswordProblem('a'.repeat(11))).toBe('The password must be at least 12 characters long.');
    expect(newPasswordProblem('a'.repeat(12))).toBeUndefined();
    expect(newPasswordProblem('a'.repeat(1025))).toBe('The password must be at most 1024 characters long.');
    expect(newPasswordProblem('a'.repeat(12), 'b'.repeat(12))).toBe('The two passwords do not match.');
    expect(newPasswordProblem('a'.repeat(12), 'a'.repeat(12))).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.ts';

const CHEAP = { N: 1024, r: 8, p: 1 };

describe('password hashing', () => {
  it('verifies the right password and rejects another', async () => {
    const stored = await hashPassword('correct horse battery', CHEAP);
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(stored).not.toContain('correct');
    await expect(verifyPassword('correct horse battery', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', stored)).resolves.toBe(false);
  });

  it('salts: the same password hashes differently twice', async () => {
    expect(await hashPassword('pw-123456', CHEAP)).not.toBe(await hashPassword('pw-123456', CHEAP));
  });

  it('rejects a stored value it does not understand', async () => {
    await expect(verifyPassword('x', 'bcrypt$2b$...')).resolves.toBe(false);
  });

  it('uses the default cost when none is given', async () => {
    const stored = await hashPassword('pw-123456');
    expect(stored.startsWith('scrypt$32768$8$1$')).toBe(true);
    await expect(verifyPassword('pw-123456', stored)).resolves.toBe(true);
  });
});

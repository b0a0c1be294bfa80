import { describe, expect, it } from 'vitest';
import { SCRYPT_COST, ScryptHasher } from './password.ts';

const CHEAP = new ScryptHasher({ N: 1024, r: 8, p: 1 });

describe('ScryptHasher', () => {
  it('verifies the right password and rejects another', async () => {
    const stored = await CHEAP.hash('correct horse battery');
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(stored).not.toContain('correct');
    await expect(CHEAP.verify('correct horse battery', stored)).resolves.toEqual({ valid: true, rehash: false });
    await expect(CHEAP.verify('correct horse batterY', stored)).resolves.toEqual({ valid: false });
  });

  it('salts: the same password hashes differently twice', async () => {
    expect(await CHEAP.hash('pw-123456')).not.toBe(await CHEAP.hash('pw-123456'));
  });

  it('rejects a stored value it does not understand, or parameters out of bounds, without running scrypt', async () => {
    for (const stored of [
      'bcrypt$2b$...',
      'scrypt$1000$8$1$c2FsdA$a2V5',
      'scrypt$4194304$8$1$c2FsdA$a2V5',
      'scrypt$1024$8$1$c2FsdA',
    ])
      await expect(CHEAP.verify('x', stored)).resolves.toEqual({ valid: false });
  });

  it('uses OWASP’s minimum by default (N=2^15, r=8, p=3), and reads the parameters stored with a hash', async () => {
    const real = new ScryptHasher();
    const stored = await real.hash('pw-123456');
    expect(SCRYPT_COST).toEqual({ N: 2 ** 15, r: 8, p: 3 });
    expect(stored.startsWith('scrypt$32768$8$3$')).toBe(true);
    await expect(real.verify('pw-123456', stored)).resolves.toEqual({ valid: true, rehash: false });
    // A cheap hash still verifies with the real hasher, and asks to be rewritten.
    await expect(real.verify('pw-123456', await CHEAP.hash('pw-123456'))).resolves.toEqual({
      valid: true,
      rehash: true,
    });
  });

  it('asks for a rehash only when the stored parameters cost less time or memory', async () => {
    const target = new ScryptHasher({ N: 2048, r: 8, p: 2 });
    const cases: Array<[{ N: number; r: number; p: number }, boolean]> = [
      [{ N: 2048, r: 8, p: 1 }, true],
      [{ N: 1024, r: 8, p: 4 }, true],
      [{ N: 4096, r: 8, p: 1 }, false],
      [{ N: 2048, r: 8, p: 2 }, false],
    ];
    for (const [cost, rehash] of cases) {
      const stored = await new ScryptHasher(cost).hash('pw');
      expect(await target.verify('pw', stored), JSON.stringify(cost)).toEqual({ valid: true, rehash });
    }
  });
});

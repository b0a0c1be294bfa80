import { describe, expect, it } from 'vitest';
import { ConcurrencyGate } from './concurrency-gate.ts';

describe('ConcurrencyGate', () => {
  it('lets `limit` holders in, turns the next away, and frees a place on release (once)', () => {
    const gate = new ConcurrencyGate(2);
    const a = gate.tryEnter();
    const b = gate.tryEnter();
    expect(a).toBeTypeOf('function');
    expect(b).toBeTypeOf('function');
    expect(gate.tryEnter()).toBeUndefined();
    expect(gate.full).toBe(true);
    a!();
    a!();
    expect(gate.active).toBe(1);
    expect(gate.tryEnter()).toBeTypeOf('function');
    expect(gate.tryEnter()).toBeUndefined();
  });

  it('refuses a limit below one', () => {
    expect(() => new ConcurrencyGate(0)).toThrow(RangeError);
  });
});

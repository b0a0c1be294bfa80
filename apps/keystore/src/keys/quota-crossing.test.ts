import { describe, expect, it } from 'vitest';
import { quotaLevels } from './quota-crossing.ts';

describe('quotaLevels', () => {
  it('warns from 80 % of the limit and exceeds at the limit', () => {
    expect(quotaLevels(10, 7)).toEqual([]);
    expect(quotaLevels(10, 8)).toEqual(['warning']);
    expect(quotaLevels(10, 10)).toEqual(['warning', 'exceeded']);
    expect(quotaLevels(10, 25)).toEqual(['warning', 'exceeded']);
    // 80 % of 3 is 2.4: the warning comes at the third request, with the limit.
    expect(quotaLevels(3, 2)).toEqual([]);
    expect(quotaLevels(1, 1)).toEqual(['warning', 'exceeded']);
  });
});

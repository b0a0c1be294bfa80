import { describe, expect, it } from 'vitest';
import { watchParent } from './parent-watch.ts';

describe('watchParent', () => {
  it('fires once when the parent process changes, not before', () => {
    let ppid = 100;
    let tick = () => undefined as void;
    let orphaned = 0;
    watchParent({
      getPpid: () => ppid,
      onOrphaned: () => orphaned++,
      every: (check) => {
        tick = check;
        return () => undefined;
      },
    });
    tick();
    expect(orphaned).toBe(0);
    ppid = 1;
    tick();
    tick();
    expect(orphaned).toBe(1);
  });
});

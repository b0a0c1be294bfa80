import { describe, expect, it } from 'vitest';
import { fillEnvExample } from './env-file.ts';

describe('fillEnvExample', () => {
  const example = '# a comment\nA=\nB=\n# C=\nD=kept\n';

  it('fills only the named empty lines and keeps everything else byte for byte', () => {
    expect(fillEnvExample(example, { A: 'x1', B: 'y2' })).toBe('# a comment\nA=x1\nB=y2\n# C=\nD=kept\n');
  });

  it('refuses a variable the file does not leave empty for the user', () => {
    expect(() => fillEnvExample(example, { C: 'z' })).toThrow('.env.example has no empty "C=" line to fill in');
    expect(() => fillEnvExample(example, { D: 'z' })).toThrow(/"D="/);
  });
});

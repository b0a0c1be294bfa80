import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startSecretScanning, type FakeSecretScanning } from '@routemcp/testing/secret-scanning';
import { fakeClock } from '../testing/fake-clock.ts';
import { GithubPublicKeys } from './github-public-keys.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

function keysOf(github: FakeSecretScanning) {
  const clock = fakeClock();
  const keys = new GithubPublicKeys({ url: github.keysUrl, clock, logger: pino({ level: 'silent' }) });
  return { keys, clock };
}

describe('GithubPublicKeys', () => {
  it('fetches once for any number of concurrent lookups, serves the set for an hour, then fetches it again', async () => {
    await using github = await startSecretScanning();
    const { keys, clock } = keysOf(github);
    const id = github.keyIdentifier();
    const found = await Promise.all([keys.lookup(id), keys.lookup(id), keys.lookup(id)]);
    expect(found.map((f) => f.ok)).toEqual([true, true, true]);
    expect(github.fetches()).toBe(1);
    clock.advance(HOUR - 1);
    expect((await keys.lookup(id)).ok).toBe(true);
    expect(github.fetches()).toBe(1);
    clock.advance(1);
    expect((await keys.lookup(id)).ok).toBe(true);
    expect(github.fetches()).toBe(2);
  });

  it('keeps verifying with the last set while the keys URL answers 429 or 500 or is gone', async () => {
    await using github = await startSecretScanning();
    const { keys, clock } = keysOf(github);
    const id = github.keyIdentifier();
    expect((await keys.lookup(id)).ok).toBe(true);
    for (const status of [429, 500, 503]) {
      github.answer(status);
      clock.advance(HOUR);
      expect((await keys.lookup(id)).ok, `after a ${status}`).toBe(true);
    }
    expect(github.fetches()).toBe(4);
    await github.close();
    clock.advance(HOUR);
    expect((await keys.lookup(id)).ok, 'with the keys URL refusing connections').toBe(true);
  });

  it('asks again for an identifier it does not know (GitHub rotated), at most once a minute', async () => {
    await using github = await startSecretScanning();
    const { keys, clock } = keysOf(github);
    const old = github.keyIdentifier();
    expect((await keys.lookup(old)).ok).toBe(true);
    clock.advance(MINUTE);
    github.rotate();
    const rotated = github.keyIdentifier();
    expect((await keys.lookup(rotated)).ok).toBe(true);
    expect(github.fetches()).toBe(2);
    expect(await keys.lookup('unknown-identifier')).toEqual({ ok: false, reason: 'unknown' });
    expect(await keys.lookup('unknown-identifier')).toEqual({ ok: false, reason: 'unknown' });
    expect(github.fetches(), 'no fetch within a minute of the last').toBe(2);
    clock.advance(MINUTE);
    expect(await keys.lookup('unknown-identifier')).toEqual({ ok: false, reason: 'unknown' });
    expect(github.fetches()).toBe(3);
    expect((await keys.lookup(old)).ok, 'the older key stays listed').toBe(true);
  });

  it('is unavailable (not "unknown") when no set was ever fetched, and asks again only after a minute', async () => {
    await using github = await startSecretScanning();
    const { keys, clock } = keysOf(github);
    github.answer(429);
    expect(await keys.lookup(github.keyIdentifier())).toEqual({ ok: false, reason: 'unavailable' });
    expect(await keys.lookup(github.keyIdentifier())).toEqual({ ok: false, reason: 'unavailable' });
    expect(github.fetches()).toBe(1);
    github.answer(200);
    clock.advance(MINUTE);
    expect((await keys.lookup(github.keyIdentifier())).ok).toBe(true);
    expect(github.fetches()).toBe(2);
  });
});

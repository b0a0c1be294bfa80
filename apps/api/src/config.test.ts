import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to port 5002 on all interfaces at info level', () => {
    expect(loadConfig({})).toEqual({ port: 5002, host: undefined, logLevel: 'info' });
  });

  it('reads API_PORT, API_HOST and LOG_LEVEL', () => {
    expect(loadConfig({ API_PORT: '15002', API_HOST: '127.0.0.1', LOG_LEVEL: 'debug' })).toEqual({
      port: 15002,
      host: '127.0.0.1',
      logLevel: 'debug',
    });
  });

  it('treats an empty API_PORT as unset', () => {
    expect(loadConfig({ API_PORT: '' }).port).toBe(5002);
  });

  it.each(['abc', '70000', '-1', '1.5'])('rejects API_PORT=%s naming the variable', (value) => {
    expect(() => loadConfig({ API_PORT: value })).toThrow(/API_PORT/);
  });

  it('rejects an unknown LOG_LEVEL naming the variable', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});

import { describe, expect, it } from 'vitest';
import { startWebSocketEcho } from './websocket-echo.ts';

describe('startWebSocketEcho', () => {
  it("echoes a real client's messages and sees its handshake headers", async () => {
    await using echo = await startWebSocketEcho();
    const socket = new WebSocket(echo.url.replace('http', 'ws') + '/ws', { headers: { 'x-test': 'yes' } });
    const echoed = new Promise<string>((resolve, reject) => {
      socket.onopen = () => socket.send('hello');
      socket.onmessage = (event) => resolve(String(event.data));
      socket.onerror = () => reject(new Error('websocket error'));
    });
    expect(await echoed).toBe('hello');
    expect(echo.upgrades[0]?.['x-test']).toBe('yes');
    expect(echo.openConnections()).toBe(1);
    socket.close();
  });
});

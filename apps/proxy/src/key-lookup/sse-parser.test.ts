import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './sse-parser.ts';

function parse(...chunks: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

describe('SseParser', () => {
  it('parses named events with ids, skipping comments', () => {
    expect(parse(': ping\n\nevent: key\nid: e:1\ndata: {"a":1}\n\n')).toEqual([
      { event: 'key', id: 'e:1', data: '{"a":1}' },
    ]);
  });

  it('joins data lines and handles CRLF split across chunks', () => {
    expect(parse('data: a\r', '\ndata: b\r\n\r', '\n')).toEqual([{ event: 'message', id: undefined, data: 'a\nb' }]);
  });

  it('waits for the blank line before dispatching', () => {
    expect(parse('event: reset\ndata: {}\n')).toEqual([]);
  });
});

export interface SseEvent {
  /** `message` when the server named none. */
  event: string;
  data: string;
  /** The `id:` field of this event, when it had one. */
  id: string | undefined;
}

const LINE_END = /\r\n|\r|\n/;

/**
 * Incremental `text/event-stream` parser (WHATWG HTML, "Parsing an event
 * stream"): feed it decoded text as it arrives, it calls `onEvent` for each
 * complete event. Comment lines (`: ping`) and `retry:` are ignored; an event
 * without data is not dispatched, as the spec says.
 */
export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #id: string | undefined;
  readonly #onEvent: (event: SseEvent) => void;

  constructor(onEvent: (event: SseEvent) => void) {
    this.#onEvent = onEvent;
  }

  push(text: string): void {
    this.#buffer += text;
    for (;;) {
      const match = LINE_END.exec(this.#buffer);
      // A lone trailing CR may be the first half of a CRLF split across chunks.
      if (!match || (match[0] === '\r' && match.index === this.#buffer.length - 1)) return;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      this.#line(line);
    }
  }

  #line(line: string): void {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
  }

  #dispatch(): void {
    const event = { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id };
    const hasData = this.#data.length > 0;
    this.#event = '';
    this.#data = [];
    this.#id = undefined;
    if (hasData) this.#onEvent(event);
  }
}

/** Held by this module only: `html` and `raw` are the only makers of SafeHtml. */
const MINT: unique symbol = Symbol('SafeHtml');

/**
 * Markup that is safe to emit. Only `html` (which escapes everything it
 * interpolates) and `raw` (trusted constants) make one. A class with a
 * private field, so TypeScript compares it by name: neither a string nor an
 * object shaped like it type-checks where a page is expected, and at run
 * time `html` trusts nothing but a real instance.
 */
export class SafeHtml {
  readonly #markup: string;

  constructor(mint: typeof MINT, markup: string) {
    if (mint !== MINT) throw new TypeError('SafeHtml is made by html`…` or raw()');
    this.#markup = markup;
  }

  /** The markup, for the one writer that sends a page (`sendHtml`) and for tests. */
  get markup(): string {
    return this.#markup;
  }
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(value: Value): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (value instanceof SafeHtml) return value.markup;
  return escapeHtml(String(value));
}

/** A template whose interpolations are escaped unless already SafeHtml; false/null/undefined render nothing. */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(MINT, out);
}

/** Trusted markup built by our own code (the SVG chart's numbers). Never pass user input. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(MINT, markup);
}

/** Markup that is already safe to emit; only `html` and `raw` make one. */
export interface SafeHtml {
  readonly __html: string;
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(value: Value): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object') return (value as SafeHtml).__html;
  return escapeHtml(String(value));
}

/** A template whose interpolations are escaped unless already SafeHtml; false/null/undefined render nothing. */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return { __html: out };
}

/** Trusted markup built by our own code (the SVG chart's numbers). Never pass user input. */
export function raw(markup: string): SafeHtml {
  return { __html: markup };
}

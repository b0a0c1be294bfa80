/** One environment variable as the docs describe it, kept beside the schema that reads it. */
export interface VariableDoc {
  /** What it takes: `port`, `integer`, `http(s) URL`, `on/off`… */
  type: string;
  /** The default, or what unset means (`unset: in memory`), as text. */
  default: string;
  description: string;
}

/** `Name | Type | Default | Description`, one row per variable, in the order given. */
export function renderTable(variables: Readonly<Record<string, VariableDoc>>): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const rows = Object.entries(variables).map(
    ([name, doc]) => `| \`${name}\` | ${cell(doc.type)} | ${cell(doc.default)} | ${cell(doc.description)} |`,
  );
  return ['| Name | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

const start = (section: string) => `<!-- generated: ${section} variables (npm run docs:config) -->`;
const end = (section: string) => `<!-- end: ${section} variables -->`;

/** The generated part of `markdown` for `section`, or undefined when its markers are missing. */
export function sectionOf(markdown: string, section: string): string | undefined {
  const from = markdown.indexOf(start(section));
  const to = markdown.indexOf(end(section));
  if (from === -1 || to === -1 || to < from) return undefined;
  return markdown.slice(from + start(section).length, to).trim();
}

/** `markdown` with `section`'s generated part replaced by `body` (markers added at the end when missing). */
export function replaceSection(markdown: string, section: string, body: string): string {
  const block = `${start(section)}\n\n${body}\n\n${end(section)}`;
  const from = markdown.indexOf(start(section));
  const to = markdown.indexOf(end(section));
  if (from === -1 || to === -1) return `${markdown.trimEnd()}\n\n${block}\n`;
  return markdown.slice(0, from) + block + markdown.slice(to + end(section).length);
}

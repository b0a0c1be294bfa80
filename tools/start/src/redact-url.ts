/** A URL fit to print: any password becomes `***`. Unparseable input is not echoed at all. */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return '(unparseable URL)';
  }
  if (url.password !== '') url.password = '***';
  return url.toString();
}

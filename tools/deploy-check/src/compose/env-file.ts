/**
 * `.env.example` as a new user turns it into `.env`: the same text with only
 * the named variables filled in. Each must be there as an empty `NAME=` line,
 * as the file tells the user to fill it.
 */
export function fillEnvExample(example: string, values: Record<string, string>): string {
  let text = example;
  for (const [name, value] of Object.entries(values)) {
    const line = new RegExp(`^${name}=$`, 'm');
    if (!line.test(text)) throw new Error(`.env.example has no empty "${name}=" line to fill in`);
    text = text.replace(line, `${name}=${value}`);
  }
  return text;
}

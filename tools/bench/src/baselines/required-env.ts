/** A variable the bench always sets for a baseline process; its absence is a wiring bug. */
export function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

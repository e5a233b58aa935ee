/** Names address channels and keys: an empty or non-string one is a caller's bug, reported as such. */
export function requireName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${what} must be a non-empty string, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** The distinct names of a list, each checked. */
export function requireNames(values: unknown, what: string): string[] {
  if (!Array.isArray(values)) throw new TypeError(`${what} must be an array of strings, got ${JSON.stringify(values)}.`);
  const unique = new Set<string>();
  for (const value of values) unique.add(requireName(value, `each of ${what}`));
  return [...unique];
}

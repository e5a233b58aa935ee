const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** Job and video ids: 1–100 letters, digits, '.', '_', ':' or '-', starting with a letter or digit. */
export const ID_SCHEMA = { type: 'string', pattern: ID_PATTERN.source, description: 'A job or video id' } as const;

/** Why `value` is not a usable id, or undefined when it is. */
export function idProblem(value: unknown, what: string): string | undefined {
  if (typeof value !== 'string') return `${what} must be a string, not ${value === null ? 'null' : typeof value}.`;
  if (value.trim().length === 0) return `${what} must not be empty.`;
  if (!ID_PATTERN.test(value)) return `${what} must be 1–100 letters, digits, '.', '_', ':' or '-' (starting with a letter or digit).`;
  return undefined;
}

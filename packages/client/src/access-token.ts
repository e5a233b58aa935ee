/** A bearer token, or where to get one (called before each request and each connect). */
export type AccessTokenSource = string | (() => string | null | undefined | Promise<string | null | undefined>);

export async function resolveAccessToken(source: AccessTokenSource | undefined): Promise<string | undefined> {
  if (source === undefined) return undefined;
  const token = typeof source === 'function' ? await source() : source;
  return token ? token : undefined;
}

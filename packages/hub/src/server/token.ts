import type { RequestInfo } from '../connection/request-info.js';

/**
 * The bearer token of a request: the `Authorization` header, or the
 * `access_token` query parameter that browsers must use for WebSockets and
 * EventSource, which cannot carry headers.
 */
export function bearerToken(request: RequestInfo): string | undefined {
  const header = request.header('authorization');
  if (header) {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match) return match[1]!.trim();
  }
  const query = request.query.get('access_token');
  return query || undefined;
}

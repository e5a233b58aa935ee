import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/**
 * What a hub may read of the HTTP request that opened (or last refreshed) a
 * connection. It keeps the headers and URL, not the request object, so an idle
 * connection does not pin a socket's worth of request state in memory.
 */
export class RequestInfo {
  private parsedQuery: URLSearchParams | undefined;
  private parsedCookies: Map<string, string> | undefined;

  constructor(
    /** Path and query string as received, e.g. `/hub?id=…`. */
    readonly url: string,
    readonly headers: IncomingHttpHeaders,
    readonly remoteAddress: string | undefined,
    readonly method: string,
  ) {}

  static from(req: IncomingMessage): RequestInfo {
    return new RequestInfo(req.url ?? '/', req.headers, req.socket.remoteAddress, req.method ?? 'GET');
  }

  get path(): string {
    const q = this.url.indexOf('?');
    return q === -1 ? this.url : this.url.slice(0, q);
  }

  get query(): URLSearchParams {
    if (!this.parsedQuery) {
      const q = this.url.indexOf('?');
      this.parsedQuery = new URLSearchParams(q === -1 ? '' : this.url.slice(q + 1));
    }
    return this.parsedQuery;
  }

  /**
   * A query-string value by name, ignoring the name's case as ASP.NET does
   * (`id`, `negotiateVersion`, `useStatefulReconnect` reach it however written).
   */
  queryValue(name: string): string | undefined {
    const exact = this.query.get(name);
    if (exact !== null) return exact;
    const lower = name.toLowerCase();
    for (const [key, value] of this.query) if (key.toLowerCase() === lower) return value;
    return undefined;
  }

  get cookies(): ReadonlyMap<string, string> {
    if (!this.parsedCookies) this.parsedCookies = parseCookies(this.headers.cookie);
    return this.parsedCookies;
  }

  header(name: string): string | undefined {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value when it is not valid percent-encoding
    }
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

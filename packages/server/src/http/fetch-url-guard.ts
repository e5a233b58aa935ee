import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface FetchUrlGuardOptions {
  /** `ALLOW_PRIVATE_URLS`: accept loopback, link-local and private addresses (a demo on one machine). Default false. */
  readonly allowPrivate?: boolean;
}

/** How an address range is named in an error. */
const RANGE_NAMES: Record<string, string> = {
  loopback: 'loopback',
  linkLocal: 'link-local',
  private: 'private',
  uniqueLocal: 'private (unique local)',
  carrierGradeNat: 'shared (carrier-grade NAT)',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
};

/** Host names that only mean something inside a network. */
const LOCAL_NAME = /(^|\.)(localhost|local|internal|home\.arpa|lan)$/i;

/**
 * The guard against server-side request forgery for URLs the service's
 * processors fetch (a video to download, a webhook to call): a client must not
 * make the service reach its own loopback, the cloud metadata endpoint at
 * 169.254.169.254, or the private network behind it. Only public unicast
 * addresses pass; IPv4-mapped IPv6 and the numeric forms WHATWG URL parsing
 * normalizes (`http://2130706433/`) are judged by the address they mean.
 *
 * `problem` checks a URL when it is submitted (literal addresses and local
 * names); names are resolved only when fetched, so a processor that fetches
 * passes `lookup` to `http.request`/`undici`, and an address a name resolves
 * to is checked on every connect (DNS rebinding cannot slip past).
 */
export class FetchUrlGuard {
  readonly allowPrivate: boolean;

  constructor(options: FetchUrlGuardOptions = {}) {
    this.allowPrivate = options.allowPrivate ?? false;
  }

  /** Why the service must not fetch `url` (named `field` in the message), or undefined. */
  problem(url: URL, field: string): string | undefined {
    if (this.allowPrivate) return undefined;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(host)) {
      const range = this.forbiddenRange(host);
      return range ? `${field} points at a ${range} address (${host}); set ALLOW_PRIVATE_URLS=true to allow it.` : undefined;
    }
    if (LOCAL_NAME.test(host) || !host.includes('.')) return `${field} names a local host (${host}); set ALLOW_PRIVATE_URLS=true to allow it.`;
    return undefined;
  }

  /** A `net` lookup that resolves as usual and refuses forbidden addresses. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const allowed = addresses.filter((a) => this.forbiddenRange(a.address) === undefined);
      if (allowed.length === 0) {
        const refused = Object.assign(new Error(`${hostname} resolves only to addresses the service must not fetch (${addresses.map((a) => a.address).join(', ')}).`), {
          code: 'EADDRNOTAVAIL',
        });
        return callback(refused, '', 4);
      }
      if (options.all) return callback(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };

  /** The name of the range `address` is in when the service must not fetch from it; undefined for public unicast (or when allowed). */
  private forbiddenRange(address: string): string | undefined {
    if (this.allowPrivate) return undefined;
    let parsed = ipaddr.parse(address);
    if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    const range = parsed.range();
    return range === 'unicast' ? undefined : (RANGE_NAMES[range] ?? range);
  }
}

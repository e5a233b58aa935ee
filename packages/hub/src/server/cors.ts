import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsOptions } from './hub-options.js';

export function originAllowed(cors: CorsOptions, origin: string): boolean {
  const { origins } = cors;
  if (origins === '*') return true;
  if (typeof origins === 'function') return origins(origin);
  return origins.includes(origin);
}

/**
 * Adds CORS response headers for an allowed origin. Returns false when the
 * request comes from an origin that is not allowed (the caller refuses it).
 * Requests without an Origin header are same-origin or non-browser: allowed.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, cors: CorsOptions | undefined): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (!cors) return true; // no CORS policy: the browser's same-origin rule applies
  if (!originAllowed(cors, origin)) return false;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  if (cors.credentials !== false) res.setHeader('Access-Control-Allow-Credentials', 'true');
  return true;
}

/** Answers an OPTIONS preflight: 204 with the allowances, or 403 for an origin not on the list. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, cors: CorsOptions | undefined): void {
  const origin = req.headers.origin;
  if (!origin || !cors || !originAllowed(cors, origin)) {
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(origin ? `Origin '${origin}' is not allowed.` : 'CORS preflight requires an Origin header.');
    return;
  }
  applyCors(req, res, cors);
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
  const requested = req.headers['access-control-request-headers'];
  res.setHeader('Access-Control-Allow-Headers', requested ?? 'authorization, content-type, x-requested-with, x-signalr-user-agent');
  res.setHeader('Access-Control-Max-Age', String(cors.maxAgeSeconds ?? 600));
  res.writeHead(204);
  res.end();
}

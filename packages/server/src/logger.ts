import type { FastifyRequest } from 'fastify';
import { type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'tidings' } });
}

/** `url` with the value of every `access_token` query parameter replaced by `[redacted]`. */
export function redactAccessToken(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]');
}

/**
 * Fastify's request line (`req` of "incoming request", logged at debug) without
 * the bearer token browsers put in the query string for WebSockets and SSE:
 * JWTs, dev tokens and Conduit keys must not reach the log.
 */
export function requestLogSerializer(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactAccessToken(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

import type { FastifyRequest } from 'fastify';
import { type Logger, pino } from 'pino';
import pinoPretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.js';

export type { Logger };

/** Whether logs are readable lines (a terminal, unless LOG_FORMAT=json) or JSON (pipes, files, log shippers). */
export function prettyLogs(format: LogFormat = 'auto', stdout: { readonly isTTY?: boolean } = process.stdout): boolean {
  return format === 'pretty' || (format === 'auto' && stdout.isTTY === true);
}

/**
 * The service's logger: JSON lines for machines, or — on a terminal — coloured
 * lines a person reads (`12:00:01 INFO job completed: Transcription … durationMs=…`).
 * pino-pretty runs in this thread, synchronously: a line is out before the
 * process exits, and nothing is lost on a crash.
 */
export function createLogger(level: LogLevel, format: LogFormat = 'json'): Logger {
  if (!prettyLogs(format)) return pino({ level, base: { service: 'tidings' } });
  const stream = pinoPretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service', sync: true, singleLine: true });
  return pino({ level, base: { service: 'tidings' } }, stream);
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

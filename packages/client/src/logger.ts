import { type ILogger, LogLevel } from '@microsoft/signalr';

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Where the client writes (the console fits). */
export interface ClientLogger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

const RANK: Record<LogLevelName, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** `sink` filtered to `level` and above, every line prefixed. */
export function levelLogger(sink: ClientLogger, level: LogLevelName, prefix = '[tidings]'): ClientLogger {
  const at = (name: Exclude<LogLevelName, 'silent'>) =>
    RANK[name] < RANK[level] ? () => undefined : (message: string, ...details: unknown[]) => sink[name](`${prefix} ${message}`, ...details);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** An error as a few words for a log line. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The official client's log lines, through ours. Its errors are about a
 * transport or an attempt to connect, which this client retries and reports
 * through its state: they are warnings here, so a page that reconnects does
 * not fill its console with errors.
 */
export function officialClientLogger(logger: ClientLogger): ILogger {
  return {
    log(level: LogLevel, message: string) {
      if (level >= LogLevel.None) return;
      if (level >= LogLevel.Critical) logger.error(message);
      else if (level >= LogLevel.Warning) logger.warn(message);
      else if (level >= LogLevel.Information) logger.info(message);
      else logger.debug(message);
    },
  };
}

/** The logging surface tidings uses; a pino logger fits it as is. */
export interface HubLogger {
  debug(data: object, message?: string): void;
  info(data: object, message?: string): void;
  warn(data: object, message?: string): void;
  error(data: object, message?: string): void;
}

/** Warnings and errors to the console; debug and info dropped. */
export const consoleLogger: HubLogger = {
  debug() {},
  info() {},
  warn(data, message) {
    console.warn(`[tidings] ${message ?? ''}`, data);
  },
  error(data, message) {
    console.error(`[tidings] ${message ?? ''}`, data);
  },
};

export const silentLogger: HubLogger = { debug() {}, info() {}, warn() {}, error() {} };

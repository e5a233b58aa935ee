/** The logging surface the engine uses; a pino logger fits it as is. */
export interface JobLogger {
  debug(data: object, message?: string): void;
  info(data: object, message?: string): void;
  warn(data: object, message?: string): void;
  error(data: object, message?: string): void;
}

export const silentJobLogger: JobLogger = { debug() {}, info() {}, warn() {}, error() {} };

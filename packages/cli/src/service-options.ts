import { TidingsApi, TidingsApiError } from '@tidings/client';
import { CommandError, EXIT } from './exit-codes.js';

/** `--url` and `--token`, which every command that talks to a service takes. */
export interface ServiceOptions {
  readonly url: string;
  readonly token?: string;
}

export const DEFAULT_URL = 'http://localhost:5000';

export function apiFor(options: ServiceOptions): TidingsApi {
  return new TidingsApi({ baseUrl: options.url, accessToken: options.token });
}

/** A REST failure as a message for people, ending the command. */
export function unavailable(error: unknown, options: ServiceOptions, what?: string): CommandError {
  if (!(error instanceof TidingsApiError)) return new CommandError(error instanceof Error ? error.message : String(error), EXIT.unavailable);
  if (error.status === 0) return new CommandError(`Cannot reach the service at ${options.url}: is it running? (tidings serve, or --url)`, EXIT.unavailable);
  if (error.status === 401) return new CommandError(`The service refused the token (401): ${error.message}${options.token ? '' : ' Pass one with --token or TIDINGS_TOKEN.'}`, EXIT.unavailable);
  if (error.status === 404 && what) return new CommandError(`${what} was not found (or is not yours).`, EXIT.unavailable);
  return new CommandError(`${error.message} (HTTP ${error.status})`, error.status === 400 ? EXIT.usage : EXIT.unavailable);
}

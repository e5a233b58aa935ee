import { type AccessTokenSource, JobProgressClient } from '@tidings/client';
import { type ReactNode, createContext, useContext, useEffect, useMemo } from 'react';

const TidingsContext = createContext<JobProgressClient | null>(null);

export interface TidingsProviderProps {
  /** A client you made (and stop). Without it the provider makes one from `baseUrl` and `accessToken`. */
  readonly client?: JobProgressClient;
  /** Default: the page's origin. */
  readonly baseUrl?: string;
  readonly accessToken?: AccessTokenSource;
  readonly children?: ReactNode;
}

/**
 * One connection for everything below it. A client the provider makes is
 * started on mount and stopped on unmount (and replaced when `baseUrl` or
 * `accessToken` changes).
 */
export function TidingsProvider({ client, baseUrl, accessToken, children }: TidingsProviderProps) {
  const owned = useMemo(() => (client ? null : new JobProgressClient({ baseUrl, accessToken })), [client, baseUrl, accessToken]);
  const active = client ?? owned!;
  useEffect(() => {
    active.start().catch(() => undefined); // refusals surface through the client's state and onConnectionClosed
    return () => {
      if (owned) void owned.stop();
    };
  }, [active, owned]);
  return <TidingsContext.Provider value={active}>{children}</TidingsContext.Provider>;
}

let pageClient: JobProgressClient | undefined;

/**
 * The client of the nearest `TidingsProvider`; without one, a client for the
 * page's own origin, shared by every hook on the page (as seed 001's hook
 * connects to `/hubs/job-progress` of the page's origin).
 */
export function useTidingsClient(): JobProgressClient {
  const provided = useContext(TidingsContext);
  if (provided) return provided;
  if (!pageClient) {
    pageClient = new JobProgressClient();
    pageClient.start().catch(() => undefined);
  }
  return pageClient;
}

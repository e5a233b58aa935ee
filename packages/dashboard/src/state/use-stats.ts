import type { JobStatus } from '@tidings/contract';
import { useEffect, useState } from 'react';
import { errorText } from '../format.js';

/** `GET /api/v1/stats` (the service's `http/routes/stats.ts`). */
export interface ServiceStats {
  readonly at: string;
  readonly jobs: { readonly byStatus: Readonly<Record<JobStatus, number>>; readonly capped: boolean; readonly types: readonly string[] };
  readonly throughput: { readonly minuteMs: number; readonly minutes: readonly { at: string; completed: number; failed: number }[] };
  readonly queue: { running: number; queued: number; delayed: number; oldestWaitingMs: number | null; meanWaitMs: number | null };
  readonly events: { readonly stored: number; readonly sinkFailures: number };
  readonly hubs: readonly { path: string; connections: number; transports: Readonly<Record<string, number>> }[];
  readonly cluster: {
    readonly nodeId: string;
    readonly nodes: readonly { nodeId: string; lastHeartbeatAt: string | null; connections: number }[];
    readonly workers: readonly { name: string; lastSeenAt: string | null }[];
  } | null;
}

const EVERY_MS = 5000;

/** The service's numbers, read now and every few seconds while `online`; the last read stays while offline. */
export function useStats(token: string | null, online: boolean): { stats: ServiceStats | null; error: string | null } {
  const [stats, setStats] = useState<ServiceStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!online) return;
    let active = true;
    const read = () => {
      fetch('/api/v1/stats', { headers: token ? { authorization: `Bearer ${token}` } : {} })
        .then(async (response) => {
          if (!response.ok) throw new Error(`the service answered ${response.status}`);
          return (await response.json()) as ServiceStats;
        })
        .then(
          (value) => {
            if (!active) return;
            setStats(value);
            setError(null);
          },
          (failure: unknown) => active && setError(errorText(failure)),
        );
    };
    read();
    const timer = setInterval(read, EVERY_MS);
    return () => {
      active = false;
      clearInterval(timer);
    };
  }, [token, online]);
  return { stats, error };
}

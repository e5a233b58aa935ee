import { useConnectionState } from '@tidings/react';

/**
 * `online`: connected to the hub, so actions can be sent and timers mean
 * something. `lost`: the connection was there and dropped (reconnecting, or
 * given up) — the first connect after loading is not an outage.
 */
export function useOnline(): { online: boolean; lost: boolean } {
  const state = useConnectionState();
  return { online: state === 'connected', lost: state === 'reconnecting' || state === 'disconnected' };
}

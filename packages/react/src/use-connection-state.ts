import type { ConnectionState } from '@tidings/client';
import { useCallback, useSyncExternalStore } from 'react';
import { useTidingsClient } from './tidings-provider.js';

/** `connecting`, `connected`, `reconnecting` or `disconnected`, re-rendering on each change. */
export function useConnectionState(): ConnectionState {
  const client = useTidingsClient();
  // One subscription per client: a new function each render would make React unsubscribe and subscribe again every render.
  const subscribe = useCallback((onChange: () => void) => client.onStateChange(onChange), [client]);
  return useSyncExternalStore(subscribe, () => client.state, () => 'disconnected');
}

import type { ConnectionState } from '@tidings/client';
import { useSyncExternalStore } from 'react';
import { useTidingsClient } from './tidings-provider.js';

/** `connecting`, `connected`, `reconnecting` or `disconnected`, re-rendering on each change. */
export function useConnectionState(): ConnectionState {
  const client = useTidingsClient();
  return useSyncExternalStore(
    (onChange) => client.onStateChange(onChange),
    () => client.state,
    () => 'disconnected',
  );
}

import { useConnectionState } from '@tidings/react';

const LABELS = { connected: 'Connected', connecting: 'Connecting…', reconnecting: 'Reconnecting…', disconnected: 'Disconnected' } as const;

/** The hub connection's state, live. */
export function ConnectionStatus() {
  const state = useConnectionState();
  return (
    <span className={`connection connection-${state}`} role="status" aria-label="Connection status" data-state={state}>
      <span className="connection-dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}

import { TidingsProvider } from '@tidings/react';
import type { ReactNode } from 'react';
import { ConnectionStatus } from './components/ConnectionStatus.js';
import { Notices } from './components/Notices.js';
import { TokenPanel } from './components/TokenPanel.js';
import { Dashboard } from './Dashboard.js';
import { useNotices } from './state/use-notices.js';
import { useServiceInfo } from './state/use-service-info.js';
import { useStoredToken } from './state/use-stored-token.js';

/** The page: who you are, the connection, and — once the service's mode is known — the dashboard. */
export function App() {
  const { health, error } = useServiceInfo();
  const [token, setToken] = useStoredToken();
  const notices = useNotices();
  const signedOut = health?.mode === 'jwt' && !token;

  const header = (status: ReactNode) => (
    <header className="app-header">
      <h1>
        tidings <span className="muted">job progress</span>
      </h1>
      {health && <span className={`mode mode-${health.mode}`}>{health.mode === 'open' ? 'development mode' : 'JWT'}</span>}
      {status}
    </header>
  );

  if (!health) {
    return (
      <div className="app">
        {header(null)}
        <p className={error ? 'form-error' : 'hint'} role={error ? 'alert' : undefined}>
          {error ? `Cannot reach the service: ${error}` : 'Loading…'}
        </p>
      </div>
    );
  }
  if (signedOut) {
    return (
      <div className="app">
        {header(<span className="connection connection-disconnected">Signed out</span>)}
        <TokenPanel mode={health.mode} token={token} onToken={setToken} />
        <p className="hint">The service requires a token (JWT): paste one to see and manage your jobs.</p>
      </div>
    );
  }
  return (
    // A new token means a new identity: a fresh client and fresh state (the key remounts everything).
    <TidingsProvider key={token ?? 'anonymous'} accessToken={token ?? undefined}>
      <div className="app">
        {header(<ConnectionStatus />)}
        <TokenPanel mode={health.mode} token={token} onToken={setToken} />
        <Notices notices={notices} />
        <Dashboard mode={health.mode} notices={notices} token={token} />
      </div>
    </TidingsProvider>
  );
}

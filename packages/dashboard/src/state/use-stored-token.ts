import { useCallback, useState } from 'react';

const KEY = 'tidings.dashboard.token';

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the token lasts as long as the page
  }
}

/** The bearer token the page uses, kept for the browser tab's session. */
export function useStoredToken(): [string | null, (token: string | null) => void] {
  const [token, setToken] = useState(read);
  const store = useCallback((next: string | null) => {
    try {
      if (next) sessionStorage.setItem(KEY, next);
      else sessionStorage.removeItem(KEY);
    } catch {
      // storage disabled: keep it in memory only
    }
    setToken(next);
  }, []);
  return [token, store];
}

/** The user a JWT names (`sub`, `UserId` or `nameid`), for display only: the service verifies tokens. */
export function tokenUser(token: string): string | null {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    const user = payload.sub ?? payload.UserId ?? payload.nameid;
    return typeof user === 'string' ? user : null;
  } catch {
    return null;
  }
}

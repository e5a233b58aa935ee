import { type ServiceHealth, TidingsApi } from '@tidings/client';
import { useEffect, useState } from 'react';
import { errorText } from '../format.js';

/** The service's mode (open development mode, or JWT), read from /health once. */
export function useServiceInfo(): { health: ServiceHealth | null; error: string | null } {
  const [health, setHealth] = useState<ServiceHealth | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let active = true;
    new TidingsApi({ baseUrl: window.location.origin }).health().then(
      (value) => active && setHealth(value),
      (failure: unknown) => active && setError(errorText(failure)),
    );
    return () => {
      active = false;
    };
  }, []);
  return { health, error };
}

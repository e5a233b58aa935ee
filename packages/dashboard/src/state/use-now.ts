import { useEffect, useState } from 'react';

/**
 * The current time, re-rendering every `intervalMs` (for elapsed times and
 * ETAs). `frozen` stops it where it is: while the service is away, elapsed
 * times and ETAs would count on for jobs nobody can see move.
 */
export function useNow(intervalMs = 1000, frozen = false): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (frozen) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, frozen]);
  return now;
}

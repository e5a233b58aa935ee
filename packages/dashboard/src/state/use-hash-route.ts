import { useCallback, useSyncExternalStore } from 'react';

const JOB_ROUTE = /^#\/jobs\/([^/?#]+)$/;

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The job selected in the address (`#/jobs/<id>`), so a detail view can be linked and reloaded. */
export function useSelectedJobId(): [string | null, (jobId: string | null) => void] {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  const match = JOB_ROUTE.exec(hash);
  const select = useCallback((jobId: string | null) => {
    window.location.hash = jobId ? `#/jobs/${encodeURIComponent(jobId)}` : '';
  }, []);
  return [match ? decodeURIComponent(match[1]!) : null, select];
}

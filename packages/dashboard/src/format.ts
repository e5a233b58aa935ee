/** How the dashboard writes times, durations and ids. */

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** From `startedAt` to `finishedAt`, or to now while the job runs. */
export function elapsed(startedAt: string | null, finishedAt: string | null, now: number): string {
  if (!startedAt) return '—';
  const end = finishedAt ? Date.parse(finishedAt) : now;
  return formatDuration(end - Date.parse(startedAt));
}

/** Time left until `estimatedCompletion`, while the job runs. */
export function eta(estimatedCompletion: string | null, running: boolean, now: number): string {
  if (!running || !estimatedCompletion) return '—';
  const left = Date.parse(estimatedCompletion) - now;
  return left <= 0 ? 'any moment' : formatDuration(left);
}

export function clockTime(iso: string | null): string {
  return iso ? new Date(iso).toLocaleTimeString() : '—';
}

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A duration as .NET's System.Text.Json writes a TimeSpan (the constant "c"
 * format): `[d.]hh:mm:ss[.fffffff]`, e.g. `00:02:05.5000000`.
 */
export function formatTimeSpan(milliseconds: number): string {
  const negative = milliseconds < 0;
  const ticks = Math.round(Math.abs(milliseconds) * 10_000);
  const totalSeconds = Math.floor(ticks / 10_000_000);
  const fraction = ticks % 10_000_000;
  const days = Math.floor(totalSeconds / 86_400);
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = `${two(Math.floor((totalSeconds % 86_400) / 3600))}:${two(Math.floor((totalSeconds % 3600) / 60))}:${two(totalSeconds % 60)}`;
  return `${negative ? '-' : ''}${days > 0 ? `${days}.` : ''}${clock}${fraction > 0 ? `.${String(fraction).padStart(7, '0')}` : ''}`;
}

/** The time between two ISO instants as a TimeSpan, or null when either is missing. */
export function timeSpanBetween(start: string | null, end: string | null): string | null {
  if (!start || !end) return null;
  return formatTimeSpan(Date.parse(end) - Date.parse(start));
}

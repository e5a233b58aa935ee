/**
 * A JavaScript date as System.Text.Json writes a UTC `DateTime`: the ISO 8601
 * round-trip form with the fraction of a second trimmed of trailing zeros and
 * left out when it is zero (`2000-01-01T00:00:00Z`, `…00:00:00.12Z`), where
 * `Date.prototype.toISOString` always writes three digits (`…00:00:00.120Z`).
 * Takes that ISO string; anything else (an extended-year date) passes unchanged.
 */
export function systemTextJsonDate(iso: string): string {
  // toISOString: YYYY-MM-DDTHH:mm:ss.sssZ, the dot at 19 and the Z at 23 for years 0000–9999.
  if (iso.length !== 24 || iso.charCodeAt(19) !== 0x2e) return iso;
  let end = 23;
  while (end > 20 && iso.charCodeAt(end - 1) === 0x30) end--;
  if (end === 20) return `${iso.slice(0, 19)}Z`;
  return `${iso.slice(0, end)}Z`;
}

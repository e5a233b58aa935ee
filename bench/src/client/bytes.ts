/** Whether `expected` sits in `frame` at `at`. A JS loop: for a dozen bytes it beats a call into native `compare`. */
export function matchesAt(frame: Buffer, at: number, expected: Buffer): boolean {
  if (at + expected.length > frame.length) return false;
  for (let i = 0; i < expected.length; i++) if (frame[at + i] !== expected[i]) return false;
  return true;
}

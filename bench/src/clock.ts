/**
 * Microseconds on CLOCK_MONOTONIC. Every process on the machine reads the same
 * clock, so a send stamp taken in the server process and a receipt stamp taken
 * in the client process can be subtracted.
 */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** CPU time this process has used so far (user + system), in microseconds. */
export function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

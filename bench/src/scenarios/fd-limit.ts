import { spawnSync } from 'node:child_process';

/**
 * The file-descriptor limit a worker can get by raising its own soft limit
 * (`ulimit -n` in its shell): `wanted`, or the hard limit when that is lower
 * and cannot be raised here (a container without CAP_SYS_RESOURCE, say).
 */
export function reachableFdLimit(wanted: number): { limit: number; hardLimited: boolean } {
  const probe = spawnSync('/bin/sh', ['-c', `ulimit -n ${wanted} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; ulimit -n`], { encoding: 'utf8' });
  const limit = Number(probe.stdout.trim());
  if (probe.status !== 0 || !Number.isInteger(limit)) throw new Error(`Cannot read the file-descriptor limit: ${probe.stderr}`);
  return { limit: Math.min(limit, wanted), hardLimited: limit < wanted };
}

import { accessSync, constants, mkdirSync } from 'node:fs';
import type { ServerConfig } from './config.js';

/**
 * Start failures an operator fixes from one sentence — the port is taken, the
 * data directory cannot be written — named in that sentence instead of a
 * stack trace. Anything else is not recognised (undefined) and is reported
 * in full.
 */
export function startupProblem(error: unknown, config: Pick<ServerConfig, 'port' | 'host' | 'dataDir'>, host = config.host ?? '127.0.0.1'): string | undefined {
  const failure = error as NodeJS.ErrnoException & { code?: string };
  if (!failure || typeof failure !== 'object') return undefined;
  if (failure.code === 'EADDRINUSE') return `port ${config.port} on ${host} is already in use; stop what is listening there or set PORT to another port.`;
  if (failure.code === 'EADDRNOTAVAIL') return `cannot listen on ${host}: this machine has no such address; set HOST to one of its addresses (or 0.0.0.0).`;
  if (failure.code === 'EACCES' && failure.syscall === 'listen') return `port ${config.port} needs privileges this user lacks; set PORT to 1024 or above.`;
  const inDataDir = typeof failure.path === 'string' && failure.path.startsWith(config.dataDir);
  const fileCodes = ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_FULL'];
  if (inDataDir || (failure.code !== undefined && fileCodes.includes(failure.code) && !failure.syscall?.startsWith('connect'))) {
    return `DATA_DIR ${config.dataDir} cannot be written (${failure.code ?? failure.message}); set DATA_DIR to a directory this user can write.`;
  }
  return undefined;
}

/** Makes DATA_DIR if needed and checks it is a directory this process can write: one clear error at start, not a failure on the first job. */
export function ensureWritableDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  accessSync(dataDir, constants.W_OK);
}

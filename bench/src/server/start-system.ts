import type { BenchSystem, SystemName } from './system.js';

export interface StartOptions {
  /** Scale out over this Redis with the system's own backplane (tidings and Socket.IO only). */
  readonly redisUrl?: string;
}

/** Loads only the system asked for: a worker process starts faster and holds nothing of the others. */
export async function startSystem(name: SystemName, options: StartOptions = {}): Promise<BenchSystem> {
  if (options.redisUrl !== undefined && name !== 'tidings' && name !== 'socket.io') throw new Error(`${name} has no Redis backplane.`);
  switch (name) {
    case 'tidings':
      return (await import('./tidings-system.js')).startTidings(options);
    case 'socket.io':
      return (await import('./socketio-system.js')).startSocketIo(options);
    case 'ws-coalesced':
      return (await import('./raw-ws-system.js')).startRawWs('coalesced');
    case 'ws-batched':
      return (await import('./raw-ws-system.js')).startRawWs('batched');
    case 'ws':
      return (await import('./raw-ws-system.js')).startRawWs('plain');
  }
}

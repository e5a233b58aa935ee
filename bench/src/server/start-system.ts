import type { BenchSystem, SystemName } from './system.js';

/** Loads only the system asked for: a worker process starts faster and holds nothing of the others. */
export async function startSystem(name: SystemName): Promise<BenchSystem> {
  switch (name) {
    case 'tidings':
      return (await import('./tidings-system.js')).startTidings();
    case 'socket.io':
      return (await import('./socketio-system.js')).startSocketIo();
    case 'ws-coalesced':
      return (await import('./raw-ws-system.js')).startRawWs(true);
    case 'ws':
      return (await import('./raw-ws-system.js')).startRawWs(false);
  }
}

import type { Duplex } from 'node:stream';

/**
 * Corks a socket on its first write of an event-loop turn and uncorks every
 * corked socket once the turn's work is done, so all frames written to one
 * socket in a turn leave in one `writev`. This is the hand-rolled `ws` limit
 * the issue measures tidings against.
 */
export class WriteCoalescer {
  private corked: Duplex[] = [];
  private scheduled = false;
  private readonly uncorkAll = (): void => {
    this.scheduled = false;
    const sockets = this.corked;
    this.corked = [];
    for (const socket of sockets) socket.uncork();
  };

  /** Call before each write to `socket`: its writes wait for the end of the turn. */
  hold(socket: Duplex): void {
    // Corked already means held this turn (ws corks only within its own write call).
    if (socket.writableCorked > 0) return;
    socket.cork();
    this.corked.push(socket);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.uncorkAll);
    }
  }
}

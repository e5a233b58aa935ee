import { WebSocket } from 'ws';

export interface RawSocket {
  readonly socket: WebSocket;
  /** Every message the server sent, as text. */
  readonly received: string[];
  readonly closedCode: Promise<number>;
}

/**
 * A raw WebSocket peer for what the official client cannot send (malformed
 * handshakes, garbage frames, messages no client would build).
 */
export async function rawSocket(url: string): Promise<RawSocket> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'));
  const received: string[] = [];
  socket.on('message', (data) => received.push(data.toString()));
  const closedCode = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, received, closedCode };
}

import type { ServerResponse } from 'node:http';
import type { Connection } from '../connection/connection.js';
import type { TransportSink } from './transport.js';

const DATA_PREFIX = Buffer.from('data: ');
const EVENT_END = Buffer.from('\r\n\r\n');
const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Server-Sent Events: the server-to-client half, paired with HTTP POST sends.
 * Each batch of records becomes one unnamed event.
 */
export class ServerSentEventsSink implements TransportSink {
  readonly name = 'ServerSentEvents' as const;
  readonly ready = true;
  private ended = false;

  constructor(
    private readonly response: ServerResponse,
    readonly connection: Connection,
  ) {
    response.on('close', () => {
      this.ended = true;
      connection.transportEnded(this, undefined, true);
    });
  }

  /** Sends the event-stream headers; EventSource reports "open" when they arrive. */
  start(headers: Record<string, string>): void {
    this.response.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
    });
    this.response.write(':\r\n\r\n');
  }

  /**
   * Frames the whole batch into one buffer and writes it once, as the WebSocket
   * transport sends one frame per flush: a slow consumer then costs one queued
   * buffer per flush, not three per record.
   */
  send(chunks: readonly Buffer[], _byteLength: number, _binary: boolean): void {
    if (this.ended) return;
    const parts: Buffer[] = [];
    let total = 0;
    for (const chunk of chunks) {
      if (chunk.indexOf(0x0a) === -1 && chunk.indexOf(0x0d) === -1) {
        parts.push(DATA_PREFIX, chunk, EVENT_END);
        total += DATA_PREFIX.length + chunk.length + EVENT_END.length;
      } else {
        // A data line cannot hold a line break: spread the text over several
        // `data:` lines, which EventSource joins back with "\n".
        const lines = chunk.toString('utf8').split(LINE_BREAK);
        const event = Buffer.from(`${lines.map((line) => `data: ${line}`).join('\r\n')}\r\n\r\n`);
        parts.push(event);
        total += event.length;
      }
    }
    this.response.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts, total));
  }

  bufferedAmount(): number {
    return this.response.writableLength;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.response.end();
  }

  abort(): void {
    this.ended = true;
    this.response.destroy();
  }
}

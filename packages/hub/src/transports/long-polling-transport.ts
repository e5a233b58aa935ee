import type { ServerResponse } from 'node:http';
import type { Connection } from '../connection/connection.js';
import type { TransportSink } from './transport.js';

/** What ASP.NET sends on every poll so no proxy or browser cache answers one. */
export const NO_CACHE: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-cache, no-store',
  Pragma: 'no-cache',
  Expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
};

/**
 * Long polling: the client keeps one GET open; whatever is queued answers it.
 * A newer poll supersedes the open one (204), an idle poll times out (200,
 * empty), and the end of the connection answers the open poll with 204.
 */
export class LongPollingSink implements TransportSink {
  readonly name = 'LongPolling' as const;
  private poll: ServerResponse | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private pollHeaders: Record<string, string> = {};

  constructor(readonly connection: Connection) {}

  get ready(): boolean {
    return this.poll !== undefined;
  }

  beginPoll(response: ServerResponse, timeoutMs: number, headers: Record<string, string>): void {
    if (this.poll) this.finishPoll(204);
    this.poll = response;
    this.pollHeaders = headers;
    this.connection.pollActive = true;
    this.connection.lastSeenAt = Date.now();
    response.on('close', () => {
      // The client gave up on this poll (aborted, or its own timeout).
      if (this.poll === response) this.clearPoll();
    });
    this.pollTimer = setTimeout(() => this.finishPoll(200), timeoutMs);
    this.connection.scheduleFlush();
  }

  send(chunks: readonly Buffer[], byteLength: number, binary: boolean): void {
    const response = this.poll;
    if (!response) return;
    this.clearPoll();
    response.writeHead(200, {
      ...this.pollHeaders,
      'Content-Type': binary ? 'application/octet-stream' : 'text/plain; charset=utf-8',
      'Content-Length': String(byteLength),
      ...NO_CACHE,
    });
    for (const chunk of chunks) response.write(chunk);
    response.end();
  }

  bufferedAmount(): number {
    return 0;
  }

  end(): void {
    if (this.poll) this.finishPoll(204);
  }

  abort(): void {
    this.end();
  }

  private finishPoll(status: 200 | 204): void {
    const response = this.poll;
    if (!response) return;
    this.clearPoll();
    const headers = status === 200 ? { ...this.pollHeaders, 'Content-Length': '0' } : this.pollHeaders;
    response.writeHead(status, { ...headers, ...NO_CACHE });
    response.end();
  }

  private clearPoll(): void {
    this.poll = undefined;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.connection.pollActive = false;
    this.connection.lastSeenAt = Date.now();
  }
}

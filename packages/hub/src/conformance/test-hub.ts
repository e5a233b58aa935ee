import { Hub } from '../hub/hub.js';

/** Client events the conformance hub sends. */
export interface TestClient {
  /** GetClientResult asks for any client method the test names. */
  [method: string]: (...args: never[]) => unknown;
  Message(message: string): void;
  CustomObject(value: unknown): void;
  StreamCanceled(): void;
}

/**
 * The hub the official clients' functional tests expect (ASP.NET Core's
 * TestHub), for checking the protocol end to end with any SignalR client.
 * Method names are declared camelCase and matched case-insensitively, so
 * `Echo` and `echo` both reach `echo`.
 */
export class TestHub extends Hub<TestClient> {
  echo(message: string): string {
    return message;
  }

  getCallerConnectionId(): string {
    return this.context.connectionId;
  }

  throwException(message: string): never {
    throw new Error(message);
  }

  async invokeWithString(message: string): Promise<void> {
    await this.clients.caller.send('Message', message);
  }

  async sendCustomObject(value: unknown): Promise<void> {
    await this.clients.caller.send('CustomObject', value);
  }

  getActiveTransportName(): string {
    return this.context.transport;
  }

  echoComplexObject(value: unknown): unknown {
    return value;
  }

  sendComplexObject(): Record<string, unknown> {
    return {
      String: 'hello world',
      IntArray: [1, 2, 3],
      ByteArray: new Uint8Array([1, 2, 3]),
      DateTime: new Date(Date.UTC(2000, 0, 1, 0, 0, 0)),
      GUID: '00010203-0405-0607-0706-050403020100',
    };
  }

  getContentTypeHeader(): string | null {
    return this.context.request.header('content-type') ?? null;
  }

  getCookie(name: string): string | null {
    return this.context.request.cookies.get(name) ?? null;
  }

  getNumRedirects(): number {
    return Number(this.context.request.query.get('numRedirects') ?? 0);
  }

  async *stream(): AsyncGenerator<string> {
    yield 'a';
    yield 'b';
    yield 'c';
  }

  async *emptyStream(): AsyncGenerator<string> {}

  async *streamThrowException(message: string): AsyncGenerator<string> {
    throw new Error(message);
  }

  /** Yields nothing until the client cancels, then tells the caller it noticed. */
  async *infiniteStream(): AsyncGenerator<string> {
    const signal = this.signal;
    const caller = this.clients.caller;
    try {
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      await caller.send('StreamCanceled');
    }
  }

  async streamingConcat(stream: AsyncIterable<string>): Promise<string> {
    let result = '';
    for await (const item of stream) result += item;
    return result;
  }

  async getClientResult(method: string): Promise<unknown> {
    return this.clients.caller.invoke(method);
  }
}

import { Hub } from '../hub/hub.js';
import { hubMethod } from '../hub/hub-method.js';

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
  @hubMethod()
  echo(message: string): string {
    return message;
  }

  @hubMethod()
  getCallerConnectionId(): string {
    return this.context.connectionId;
  }

  @hubMethod()
  throwException(message: string): never {
    throw new Error(message);
  }

  @hubMethod()
  async invokeWithString(message: string): Promise<void> {
    await this.clients.caller.send('Message', message);
  }

  @hubMethod()
  async sendCustomObject(value: unknown): Promise<void> {
    await this.clients.caller.send('CustomObject', value);
  }

  @hubMethod()
  getActiveTransportName(): string {
    return this.context.transport;
  }

  @hubMethod()
  echoComplexObject(value: unknown): unknown {
    return value;
  }

  @hubMethod()
  sendComplexObject(): Record<string, unknown> {
    return {
      String: 'hello world',
      IntArray: [1, 2, 3],
      ByteArray: new Uint8Array([1, 2, 3]),
      DateTime: new Date(Date.UTC(2000, 0, 1, 0, 0, 0)),
      GUID: '00010203-0405-0607-0706-050403020100',
    };
  }

  @hubMethod()
  getContentTypeHeader(): string | null {
    return this.context.request.header('content-type') ?? null;
  }

  @hubMethod()
  getCookie(name: string): string | null {
    return this.context.request.cookies.get(name) ?? null;
  }

  @hubMethod()
  getNumRedirects(): number {
    return Number(this.context.request.query.get('numRedirects') ?? 0);
  }

  @hubMethod()
  async *stream(): AsyncGenerator<string> {
    yield 'a';
    yield 'b';
    yield 'c';
  }

  @hubMethod()
  async *emptyStream(): AsyncGenerator<string> {}

  @hubMethod()
  async *streamThrowException(message: string): AsyncGenerator<string> {
    throw new Error(message);
  }

  /** Yields nothing until the client cancels, then tells the caller it noticed. */
  @hubMethod()
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

  @hubMethod()
  async streamingConcat(stream: AsyncIterable<string>): Promise<string> {
    let result = '';
    for await (const item of stream) result += item;
    return result;
  }

  @hubMethod()
  async getClientResult(method: string): Promise<unknown> {
    return this.clients.caller.invoke(method);
  }
}

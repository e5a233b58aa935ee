import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestHub } from '../src/conformance/test-hub.js';
import { HubException } from '../src/hub/hub-exception.js';
import { hubMethod } from '../src/hub/hub-method.js';
import type { UploadStream } from '../src/hub/upload-stream.js';
import { NEGOTIATED_CASES, collectStream, connect, record, signalR } from './support/signalr.js';
import { type TestServer, startHubs } from './support/server.js';
import { waitFor, within } from './support/wait.js';

/** What producers and consumers did, observed from the server side. */
const events: string[] = [];

class StreamingHub extends TestHub {
  @hubMethod()
  async *countTo(n: number): AsyncGenerator<number> {
    for (let i = 1; i <= n; i++) yield i;
  }

  /** Yields forever until stopped; records its cleanup and whether its signal fired. */
  @hubMethod()
  async *ticker(tag: string): AsyncGenerator<number> {
    const signal = this.signal;
    let i = 0;
    try {
      for (;;) {
        yield i++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      events.push(`${tag}:finally:${signal.aborted ? 'aborted' : 'not-aborted'}`);
    }
  }

  @hubMethod()
  async *failAfter(n: number, visible: boolean): AsyncGenerator<number> {
    for (let i = 0; i < n; i++) yield i;
    if (visible) throw new HubException('ran out of data');
    throw new Error('secret internals');
  }

  /** A web ReadableStream is a stream result too. */
  @hubMethod()
  readable(): ReadableStream<string> {
    const parts = ['x', 'y', 'z'];
    return new ReadableStream({
      pull(controller) {
        const next = parts.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
    });
  }

  /** Two client streams at once, in the declared positions. */
  @hubMethod({ streams: [0, 2] })
  async zip(left: AsyncIterable<string>, separator: string, right: AsyncIterable<string>): Promise<string> {
    const a: string[] = [];
    const b: string[] = [];
    await Promise.all([
      (async () => {
        for await (const item of left) a.push(item);
      })(),
      (async () => {
        for await (const item of right) b.push(item);
      })(),
    ]);
    return a.map((item, i) => `${item}${separator}${b[i]}`).join(',');
  }

  /** Starts reading its client stream only once it has ended, so every item piles up first. */
  @hubMethod({ streams: [1] })
  async hoard(tag: string, items: AsyncIterable<unknown>): Promise<number> {
    // Reads nothing until the stream has ended (overflowed, or completed): a gate, not a pause,
    // so a slow machine cannot let the reader start before the client has outrun it.
    await waitFor(() => (items as UploadStream).isEnded, 10_000, 'the client stream to end');
    return this.drain(tag, items);
  }


  @hubMethod()
  async sum(numbers: AsyncIterable<number>): Promise<number> {
    let total = 0;
    for await (const n of numbers) total += n;
    return total;
  }

  /** Reads a client stream until it breaks, recording how it ended. */
  @hubMethod()
  async drain(tag: string, items: AsyncIterable<unknown>): Promise<number> {
    let count = 0;
    try {
      for await (const _ of items) count++;
      events.push(`${tag}:completed:${count}`);
    } catch (error) {
      events.push(`${tag}:errored:${(error as Error).message}`);
    }
    return count;
  }
}

describe('streaming both ways', () => {
  let server: TestServer;

  before(async () => {
    server = await startHubs((hubs) => hubs.mapHub('/streams', StreamingHub, { maximumParallelInvocationsPerClient: 4 }));
  });
  after(() => server.close());

  for (const clientCase of NEGOTIATED_CASES) {
    describe(clientCase.name, () => {
      let connection: signalR.HubConnection;
      before(async () => {
        connection = await connect(`${server.url}/streams`, clientCase);
      });
      after(() => connection.stop());

      it('server streams complete, in order, including empty ones and ReadableStreams', async () => {
        assert.deepEqual(await collectStream(connection.stream('Stream')), ['a', 'b', 'c']);
        assert.deepEqual(await collectStream(connection.stream('EmptyStream')), []);
        assert.deepEqual(await collectStream(connection.stream('CountTo', 500)), Array.from({ length: 500 }, (_, i) => i + 1));
        assert.deepEqual(await collectStream(connection.stream('Readable')), ['x', 'y', 'z']);
      });

      it('a failing stream ends with an error after the items it produced', async () => {
        const items: number[] = [];
        const failure = await new Promise<Error>((resolve) =>
          connection.stream<number>('FailAfter', 3, false).subscribe({ next: (i) => items.push(i), complete: () => resolve(new Error('completed')), error: resolve }),
        );
        assert.deepEqual(items, [0, 1, 2]);
        assert.equal(failure.message, 'An error occurred on the server while streaming results.');
        await assert.rejects(collectStream(connection.stream('FailAfter', 1, true)), {
          message: 'An error occurred on the server while streaming results. HubException: ran out of data',
        });
        await assert.rejects(collectStream(connection.stream('StreamThrowException', 'boom')), /while streaming results/);
      });

      it('cancelling a stream stops its producer: finally runs and the signal fires', async () => {
        const canceled = record(connection, 'StreamCanceled');
        const subscription = connection.stream('InfiniteStream').subscribe({ next() {}, complete() {}, error() {} });
        await new Promise((resolve) => setTimeout(resolve, 50));
        subscription.dispose();
        await waitFor(() => canceled.length === 1, 5000, 'StreamCanceled from the producer cleanup');

        const tag = `cancel-${clientCase.name}`;
        const seen: number[] = [];
        const ticking = connection.stream<number>('Ticker', tag).subscribe({ next: (i) => seen.push(i), complete() {}, error() {} });
        await waitFor(() => seen.length >= 3, 5000, 'a few ticks');
        ticking.dispose();
        await waitFor(() => events.includes(`${tag}:finally:aborted`), 5000, 'the ticker cleanup');
      });

      it('client streams are delivered to the method, several at once', async () => {
        const words = new signalR.Subject<string>();
        const concat = connection.invoke('StreamingConcat', words);
        for (const w of ['one', 'two', 'three']) words.next(w);
        words.complete();
        assert.equal(await concat, 'onetwothree');

        const numbers = new signalR.Subject<number>();
        const total = connection.invoke('Sum', numbers);
        for (let i = 1; i <= 100; i++) numbers.next(i);
        numbers.complete();
        assert.equal(await total, 5050);

        const left = new signalR.Subject<string>();
        const right = new signalR.Subject<string>();
        const zipped = connection.invoke('Zip', left, ':', right);
        left.next('a');
        right.next('1');
        left.next('b');
        right.next('2');
        left.complete();
        right.complete();
        assert.equal(await zipped, 'a:1,b:2');
      });

      it('a client stream that errors reaches the method as an error', async () => {
        const tag = `client-error-${clientCase.name}`;
        const items = new signalR.Subject<number>();
        const drained = connection.invoke('Drain', tag, items);
        items.next(1);
        items.error(new Error('sensor unplugged'));
        assert.equal(await drained, 1);
        assert.ok(events.some((e) => e.startsWith(`${tag}:errored:`) && e.includes('sensor unplugged')), events.join('\n'));
      });
    });
  }

  for (const clientCase of NEGOTIATED_CASES) {
    it(`a closing connection ends its streams both ways (${clientCase.name})`, async () => {
      const connection = await connect(`${server.url}/streams`, clientCase);
      const tag = `close-${clientCase.name}`;
      const seen: number[] = [];
      connection.stream<number>('Ticker', tag).subscribe({ next: (i) => seen.push(i), complete() {}, error() {} });
      const upload = new signalR.Subject<number>();
      void connection.invoke('Drain', `${tag}-upload`, upload).catch(() => {});
      upload.next(1);
      await waitFor(() => seen.length >= 2, 5000, 'ticks before closing');
      await connection.stop();
      await waitFor(() => events.includes(`${tag}:finally:aborted`), 5000, 'the producer to stop');
      await waitFor(() => events.some((e) => e.startsWith(`${tag}-upload:errored:`)), 5000, 'the upload to end with an error');
    });
  }

  it('a client stream that outruns its reader fails clearly instead of growing without bound', async () => {
    const connection = await connect(`${server.url}/streams`, NEGOTIATED_CASES[0]!);
    try {
      const items = new signalR.Subject<number>();
      const hoarded = connection.invoke<number>('Hoard', 'flood', items);
      for (let i = 0; i < 10_050; i++) items.next(i);
      items.complete();
      await hoarded;
      const outcome = events.find((e) => e.startsWith('flood:'));
      assert.match(outcome ?? '', /flood:errored:.*faster than the server read them \(more than 10000 waiting\)/);
    } finally {
      await connection.stop();
    }
  });

  it('a stream to a slow client keeps server memory bounded and loses nothing', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const endpoint = server.hubs.endpoint('/streams')!;
    const child = spawn(process.execPath, ['--conditions=tidings-src', '--import', 'tsx', fileURLToPath(new URL('./support/slow-stream-client.ts', import.meta.url)), `${server.url}/streams`, '100000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitFor(() => output.includes('started'), 10_000, 'the client to start the stream');
      // Freeze the official client mid-stream: it stops reading, the server must stop producing.
      child.kill('SIGSTOP');
      const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
      gc();
      const heapBefore = process.memoryUsage().heapUsed;
      let maxQueued = 0;
      const sample = setInterval(() => {
        for (const connection of (endpoint.connections as unknown as { connections: Map<string, { outstandingBytes: number }> }).connections.values()) {
          maxQueued = Math.max(maxQueued, connection.outstandingBytes);
        }
      }, 20);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      clearInterval(sample);
      gc();
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      child.kill('SIGCONT');
      const count = await within(
        new Promise<number>((resolve) => child.stdout.on('data', () => {
          const match = /received (\d+)/.exec(output);
          if (match) resolve(Number(match[1]));
        })),
        60_000,
        'the client to receive the whole stream',
      );
      assert.equal(count, 100_000);
      // Unsent output never grows past the high-water mark plus one batch of items.
      assert.ok(maxQueued < 1024 * 1024, `queued output peaked at ${maxQueued} bytes`);
      console.log(`slow consumer: peak queued output ${(maxQueued / 1024).toFixed(0)} KiB, server heap growth while stalled ${(heapGrowth / 1024 / 1024).toFixed(1)} MiB`);
    } finally {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConnectionState, type JobEvent, JobProgressClient } from '../src/index.js';
import { startTcpProxy } from '../../../test-support/tcp-proxy.js';
import {
  delay,
  freePort,
  gatedDemo,
  historyAsEvents,
  ingest,
  lastSequenceOf,
  memoryLogger,
  startService,
  tempDir,
  waitFor,
} from './support/service.js';

const FAST_RECONNECT = [0, 200, 400];

/** The subscriber saw exactly the stored history: every sequence once, in order, each payload as the hub sends it. */
function assertSameAsHistory(seen: readonly JobEvent[], history: readonly JobEvent[]): void {
  assert.deepEqual(
    seen.map((e) => e.sequence),
    history.map((e) => e.sequence),
    'sequences: no gap, no duplicate',
  );
  assert.deepEqual(seen, history);
}

describe('@tidings/client catch-up', () => {
  it('a cut connection: the client reconnects, re-subscribes and fetches what it missed', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const demo = gatedDemo(4);
    const service = await startService(dir.path, { processors: demo.processors });
    t.after(() => service.close());
    const servicePort = Number(new URL(service.url).port);
    const proxy = await startTcpProxy(servicePort);
    t.after(() => proxy.close());

    const logger = memoryLogger();
    const client = new JobProgressClient({ baseUrl: `http://127.0.0.1:${proxy.port}`, reconnectDelaysMs: FAST_RECONNECT, logger, logLevel: 'debug' });
    t.after(() => client.stop());
    const states: ConnectionState[] = [];
    client.onStateChange((s) => states.push(s));
    const everything: JobEvent[] = [];
    client.onJobEvent((e) => everything.push(e));
    await client.start();

    const url = 'https://videos.example/cut-connection';
    const { jobId } = await ingest(service.url, url);
    await client.subscribeToJob(jobId, { after: 0 });
    const latestOnly: JobEvent[] = [];
    const latestWatch = client.watchJob(jobId, (e) => latestOnly.push(e));
    await latestWatch.ready;
    demo.open(url);

    await waitFor(() => everything.some((e) => e.type === 'JobProgressUpdate' && e.payload.currentStage === 'Extracting audio'), 20_000, 'transcription to start');
    // The network fails: open connections die, new ones go nowhere, while the job keeps going.
    const seenBeforeCut = everything.at(-1)!.sequence;
    proxy.setTarget(await freePort());
    proxy.dropConnections();
    await waitFor(() => states.includes('reconnecting'), 5000, 'the client to notice');
    const cutAt = await lastSequenceOf(service.url, jobId);
    for (const deadline = Date.now() + 20_000; (await lastSequenceOf(service.url, jobId)) < cutAt + 3; ) {
      if (Date.now() > deadline) throw new Error('the job made no progress during the outage');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(everything.at(-1)!.sequence <= cutAt, 'nothing arrived during the outage');
    proxy.setTarget(servicePort);

    await waitFor(() => everything.at(-1)?.type === 'JobCompleted', 30_000, `the job to complete (log: ${logger.lines.join('\n')})`);
    assert.equal(states.at(-1), 'connected');
    const history = await historyAsEvents(service.url, jobId);
    assert.ok(history.length > seenBeforeCut + 3, 'the job had events the client could only get by catching up');
    assertSameAsHistory(everything, history);
    // A watcher without a starting point began with the job's latest event, then got every later one.
    const from = latestOnly[0]!.sequence;
    assertSameAsHistory(latestOnly, history.filter((e) => e.sequence >= from));
    latestWatch.close();
  });

  it('after a drop the first attempt waits reconnectDelaysMs[0], as every later one waits its own', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const service = await startService(dir.path);
    t.after(() => service.close());
    const proxy = await startTcpProxy(Number(new URL(service.url).port));
    t.after(() => proxy.close());

    const client = new JobProgressClient({ baseUrl: `http://127.0.0.1:${proxy.port}`, reconnectDelaysMs: [4000, 0], logger: memoryLogger() });
    t.after(() => client.stop());
    await client.start();
    proxy.dropConnections(); // the service stays up: only the delay keeps the client from reconnecting at once
    await waitFor(() => client.state === 'reconnecting', 5000, 'the client to notice');
    await delay(600);
    assert.equal(client.state, 'reconnecting', 'no attempt before the first delay has passed');
    await waitFor(() => client.state === 'connected', 20_000, 'the client to reconnect after the delay');
  });

  it('a server restart mid-job: the client reconnects to the new process and its events equal the history', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const port = await freePort();
    let service = await startService(dir.path, { config: { port, demoSpeed: 4 } });
    t.after(() => service.close());

    const client = new JobProgressClient({ baseUrl: service.url, reconnectDelaysMs: [0, 1500, 300], logger: memoryLogger(), logLevel: 'debug' });
    t.after(() => client.stop());
    const seen: JobEvent[] = [];
    const reconnected: (string | undefined)[] = [];
    client.onReconnected((id) => reconnected.push(id));
    await client.start();
    const { jobId } = await ingest(service.url, 'https://videos.example/restart');
    const watch = client.watchJob(jobId, (e) => seen.push(e), { after: 0 });
    await watch.ready;

    await waitFor(() => seen.some((e) => e.payload.jobId === jobId && 'currentStage' in e.payload && e.payload.currentStage === 'Transcribing audio'), 20_000, 'transcription');
    await service.close(); // graceful: the job checkpoints, clients get a Close inviting them back
    service = await startService(dir.path, { config: { port, demoSpeed: 4 } });

    await waitFor(() => seen.at(-1)?.type === 'JobCompleted', 30_000, 'the job to complete after the restart');
    assert.equal(reconnected.length, 1);
    const history = await historyAsEvents(service.url, jobId);
    assert.ok(history.some((e) => e.type === 'JobProgressUpdate' && e.payload.statusMessage === 'Interrupted by a shutdown; resumes after the restart'));
    assertSameAsHistory(seen, history);
  });
});

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { watchCommand } from '../src/commands/watch.js';
import { EXIT } from '../src/exit-codes.js';
import { freePort } from '../../server/test/support/process.js';
import { type RunningService, awaitCompletion, gatedDemo, startService, tempDir } from '../../server/test/support/service.js';
import { delay, waitFor } from '../../hub/test/support/wait.js';
import { runCli, runToEnd } from './support/run-cli.js';

async function ingest(service: RunningService, url: string, title?: string): Promise<string> {
  const response = await service.http('/api/v1/videos/ingest', { body: { url, userId: 'cli-user', ...(title ? { title } : {}) } });
  assert.equal(response.status, 202);
  return response.body.jobId as string;
}

async function historySequences(service: RunningService, jobId: string): Promise<number[]> {
  return ((await service.http(`/api/v1/jobs/${jobId}/events?after=0&limit=1000`)).body.events as { sequence: number }[]).map((e) => e.sequence);
}

const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

describe('tidings against a running service', () => {
  const dir = tempDir();
  const demo = gatedDemo(6);
  let service: RunningService;
  before(async () => {
    service = await startService(dir.path, { processors: demo.processors, config: { demoSpeed: 6 } });
  });
  after(async () => {
    await service.close();
    dir.cleanup();
  });

  it('watch, piped: one line per event, in order, then exit 0 when the job completes', async () => {
    const url = 'https://videos.example/cli-watch';
    const jobId = await ingest(service, url);
    const watch = runCli(['--url', service.url, 'watch', jobId]);
    await watch.printed(/^#\d+ /m);
    demo.open(url);
    assert.equal(await watch.exitCode, EXIT.ok, watch.stderr());

    const lines = watch.stdout().trimEnd().split('\n');
    assert.match(lines.at(-1)!, /^Completed: /);
    const sequences = lines.filter((l) => l.startsWith('#')).map((l) => Number(l.slice(1, l.indexOf(' '))));
    const history = await historySequences(service, jobId);
    assert.deepEqual(sequences, history.filter((s) => s >= sequences[0]!), 'every event from the first shown, once, in order');
    assert.ok(lines.some((l) => l.includes('Transcribing audio - Running Whisper transcription on audio file')));
    assert.doesNotMatch(watch.stdout(), /\x1b\[/, 'no terminal codes when piped');
  });

  it('watch exits 3 when the job is cancelled, and 0 at once for a job that already completed', async () => {
    const url = 'https://videos.example/cli-cancel';
    const jobId = await ingest(service, url); // its gate stays shut: the job waits in its first stage
    const watch = runCli(['--url', service.url, 'watch', jobId]);
    await watch.printed(/^#\d+ Running/m);
    assert.equal((await service.http(`/api/v1/jobs/${jobId}/cancel`, { method: 'POST' })).status, 200);
    assert.equal(await watch.exitCode, EXIT.cancelled);
    assert.match(watch.stdout().trimEnd().split('\n').at(-1)!, /^Cancelled/);

    const done = await ingest(service, 'https://videos.example/cli-done');
    demo.open('https://videos.example/cli-done');
    await awaitCompletion(service, done);
    const again = await runToEnd(['--url', service.url, 'watch', done]);
    assert.equal(again.code, EXIT.ok);
    assert.match(again.stdout, /^#\d+ Completed 100%/m);
  });

  it('watch on a terminal draws a bar per stage', async () => {
    const url = 'https://videos.example/cli-tty';
    const jobId = await ingest(service, url);
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 120, rows: 40 });
    let drawn = '';
    terminal.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    const exit = watchCommand(jobId, { url: service.url }, { stdout: terminal, stderr: new PassThrough() });
    setTimeout(() => demo.open(url), 200);
    assert.equal(await exit, EXIT.ok);
    const screen = stripAnsi(drawn);
    for (const stage of ['overall', 'Video ingestion', 'Transcription', 'Embedding generation']) {
      assert.match(screen, new RegExp(`${stage}\\s+█+ 100%`), `a full bar for ${stage}`);
    }
    assert.match(screen, /█+░+\s+\d{1,2}%/, 'a bar part-way');
    assert.match(screen, /Completed: /);
  });

  it('watch on a terminal, interrupted: stops drawing and gives the cursor back, so the process can end', async () => {
    const url = 'https://videos.example/cli-tty-interrupt';
    const jobId = await ingest(service, url); // its gate stays shut: the job waits in its first stage
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 120, rows: 40 });
    let drawn = '';
    terminal.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    let interrupt!: () => void;
    const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
    const exit = watchCommand(jobId, { url: service.url }, { stdout: terminal, stderr: new PassThrough(), interrupted });
    await waitFor(() => /overall\s.*Running/.test(stripAnsi(drawn)), 30_000, 'the bars to show the job running');
    interrupt(); // Ctrl-C
    assert.equal(await exit, EXIT.interrupted);
    assert.match(stripAnsi(drawn), /Interrupted\./);
    assert.ok(drawn.lastIndexOf('\x1b[?25h') > drawn.lastIndexOf('\x1b[?25l'), 'the cursor is shown again');
    const ended = drawn.length;
    await delay(500); // the bars redraw every 100 ms while they run (a timer that would keep the process alive)
    assert.equal(drawn.length, ended, 'nothing drawn after the command ended');
    assert.equal((await service.http(`/api/v1/jobs/${jobId}/cancel`, { method: 'POST' })).status, 200);
  });

  it('ingest prints the job id when piped; jobs lists it in a table', async () => {
    const ingested = await runToEnd(['--url', service.url, 'ingest', 'https://videos.example/cli-ingest', '--title', 'From the CLI', '--priority', 'High', '--user', 'cli-user']);
    assert.equal(ingested.code, EXIT.ok, ingested.stderr);
    const jobId = ingested.stdout.trim();
    assert.match(jobId, /^[0-9a-f-]{36}$/);
    const job = (await service.http(`/api/v1/jobs/${jobId}`)).body as { priority: number; userId: string; metadata: { title?: string } };
    assert.equal(job.priority, 2);
    assert.equal(job.userId, 'cli-user');

    const listed = await runToEnd(['jobs', '--limit', '50'], { TIDINGS_URL: service.url });
    assert.equal(listed.code, EXIT.ok, listed.stderr);
    const [header, ...rows] = listed.stdout.trimEnd().split('\n');
    assert.match(header!, /^JOB ID\s+TYPE\s+STATUS\s+PROGRESS\s+STAGE\s+USER\s+CREATED$/);
    assert.ok(rows.some((r) => r.startsWith(jobId) && /VideoProcessing\s+(Pending|Running)/.test(r)), listed.stdout);
    assert.ok(rows.every((r) => r.includes('VideoProcessing')), 'pipeline steps only with --all');
    const all = await runToEnd(['--url', service.url, 'jobs', '--all', '--json']);
    assert.ok((JSON.parse(all.stdout) as { jobType: string }[]).some((j) => j.jobType === 'Transcription'));
  });

  it('names what went wrong: unknown job, bad usage, no service', async () => {
    const unknown = await runToEnd(['--url', service.url, 'watch', '00000000-0000-4000-8000-000000000000']);
    assert.equal(unknown.code, EXIT.unavailable);
    assert.match(unknown.stderr, /was not found/);
    assert.equal((await runToEnd(['jobs', '--status', 'Sleeping'])).code, EXIT.usage);
    const away = await runToEnd(['--url', `http://127.0.0.1:${await freePort()}`, 'jobs']);
    assert.equal(away.code, EXIT.unavailable);
    assert.match(away.stderr, /Cannot reach the service/);
  });
});

describe('tidings with a JWT service', () => {
  const secret = 'cli-tests-secret-0123456789';
  const dir = tempDir();
  let service: RunningService;
  before(async () => {
    service = await startService(dir.path, { config: { jwtSecret: secret, demoSpeed: 20 } });
  });
  after(async () => {
    await service.close();
    dir.cleanup();
  });

  it('--token (or TIDINGS_TOKEN) is sent; without it the command says the token was refused', async () => {
    const token = await new SignJWT({ sub: 'carol' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(secret));
    const refused = await runToEnd(['--url', service.url, 'jobs']);
    assert.equal(refused.code, EXIT.unavailable);
    assert.match(refused.stderr, /refused the token \(401\).*--token/);

    const ingested = await runToEnd(['--url', service.url, '--token', token, 'ingest', 'https://videos.example/carol', '--watch'], {});
    assert.equal(ingested.code, EXIT.ok, ingested.stderr);
    const jobId = ingested.stdout.split('\n')[0]!.trim();
    const listed = await runToEnd(['--url', service.url, 'jobs'], { TIDINGS_TOKEN: token });
    assert.match(listed.stdout, new RegExp(`^${jobId}\\s+VideoProcessing\\s+Completed\\s+100%.*carol`, 'm'));
  });
});

describe('tidings serve', () => {
  it('runs the service with the dashboard and demo videos, and stops cleanly on SIGTERM', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const port = await freePort();
    const serve = runCli(['serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dir.path, '--demo-speed', '20', '--demo']);
    const url = `http://127.0.0.1:${port}`;
    for (const deadline = Date.now() + 30_000; ; ) {
      const health = await fetch(`${url}/health`).catch(() => undefined);
      if (health?.ok) break;
      if (Date.now() > deadline || serve.child.exitCode !== null) throw new Error(`tidings serve did not come up:\n${serve.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const listed = await runToEnd(['--url', url, 'jobs', '--json']);
    const titles = (JSON.parse(listed.stdout) as { metadata: { title?: string } }[]).map((j) => j.metadata.title).sort();
    assert.deepEqual(titles, ['Demo video 1', 'Demo video 2', 'Demo video 3']);
    const page = await fetch(`${url}/`);
    assert.ok(page.status === 200 || page.status === 503, 'the dashboard, or how to build it');
    serve.child.kill('SIGTERM');
    assert.equal(await serve.exitCode, 0);
  });
});

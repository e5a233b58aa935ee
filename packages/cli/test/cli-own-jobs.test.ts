/** `tidings submit` and `watch`'s output lines with a job type of the user's own (ReportWriter, the server's test module). */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { watchCommand } from '../src/commands/watch.js';
import { EXIT } from '../src/exit-codes.js';
import reportWriterPlugin from '../../server/test/fixtures/report-writer-plugin.js';
import { releaseReport } from '../../server/test/fixtures/report-writer.js';
import { type RunningService, startService, tempDir } from '../../server/test/support/service.js';
import { runCli, runToEnd } from './support/run-cli.js';

const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

describe('tidings with a job type of your own', () => {
  const dir = tempDir();
  let service: RunningService;
  before(async () => {
    service = await startService(dir.path, { plugins: [reportWriterPlugin()], throttleIntervalMs: 50 });
  });
  after(async () => {
    await service.close();
    dir.cleanup();
  });

  it("submit --watch, piped: the job's output lines between its event lines, in sequence order", async () => {
    const run = runCli(['--url', service.url, 'submit', 'ReportWriter', '--input', '{"title":"cli-submit","lines":3,"waitToStart":true}', '--tag', 'cli', '--watch']);
    await run.printed(/^#\d+ Running/m);
    releaseReport('cli-submit', 'start');
    assert.equal(await run.exitCode, EXIT.ok, run.stderr());
    const lines = run.stdout().trimEnd().split('\n');
    const jobId = lines[0]!;
    const job = await service.http(`/api/v1/jobs/${jobId}`);
    assert.equal(job.body.jobType, 'ReportWriter');
    assert.deepEqual(job.body.tags, ['cli']);
    const numbered = lines.filter((l) => l.startsWith('#'));
    const sequences = numbered.map((l) => Number(l.slice(1, l.indexOf(' '))));
    assert.ok(sequences.every((s, i) => i === 0 || s > sequences[i - 1]!), `in order: ${sequences.join(',')}`);
    assert.deepEqual(
      numbered.filter((l) => l.includes(' [log] ')).map((l) => l.slice(l.indexOf('[log] ') + 6)),
      ['line 1 of cli-submit', 'line 2 of cli-submit', 'line 3 of cli-submit'],
    );
    assert.match(lines.at(-1)!, /^Completed: Wrote 3 lines/);
  });

  it("submit refuses input that breaks the type's schema (exit 2, the service's message) and JSON that is not JSON", async () => {
    const bad = await runToEnd(['--url', service.url, 'submit', 'ReportWriter', '--input', '{"title":"x"}']);
    assert.equal(bad.code, EXIT.usage);
    assert.match(bad.stderr, /Invalid input for job type 'ReportWriter'.*lines/);
    const unknown = await runToEnd(['--url', service.url, 'submit', 'NoSuchType', '--input', '{}']);
    assert.equal(unknown.code, EXIT.usage);
    assert.match(unknown.stderr, /Known types: .*ReportWriter/);
    const notJson = await runToEnd(['--url', service.url, 'submit', 'ReportWriter', '--input', '{title']);
    assert.equal(notJson.code, EXIT.usage);
    assert.match(notJson.stderr, /--input is not JSON/);
    assert.equal((await service.http('/api/v1/jobs?type=ReportWriter&tag=never')).body.jobs.length, 0);
  });

  it('watch on a terminal: output lines scroll above the bars', async () => {
    const created = await service.http('/api/v1/jobs', { body: { type: 'ReportWriter', input: { title: 'cli-tty', lines: 2, waitToStart: true } } });
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 120, rows: 40 });
    let drawn = '';
    terminal.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    const exit = watchCommand(created.body.job.jobId, { url: service.url }, { stdout: terminal, stderr: new PassThrough() });
    // Running shows once the watch has the job's state (it waits at its gate): from there on every event and output item reaches it.
    for (const deadline = Date.now() + 10_000; !stripAnsi(drawn).includes('Running'); ) {
      if (Date.now() > deadline) throw new Error(`the job's state never showed: ${stripAnsi(drawn)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    releaseReport('cli-tty', 'start');
    assert.equal(await exit, EXIT.ok);
    const screen = stripAnsi(drawn);
    assert.ok(screen.includes('line 1 of cli-tty') && screen.includes('line 2 of cli-tty'), screen);
    assert.ok(screen.indexOf('line 1 of cli-tty') < screen.indexOf('line 2 of cli-tty'));
  });
});

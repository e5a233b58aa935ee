import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { type ServiceProcess, spawnService } from './support/process.js';
import { tempDir, waitFor } from './support/service.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** `main.ts` run to its end (a start that fails): exit code and everything it printed. */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--conditions=tidings-src', '--import', 'tsx', 'packages/server/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', DEMO_JOBS: '0', TIDINGS_PLUGINS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

const STACK_FRAME = /^\s+at /m;

describe('the start line and start failures of a spawned service', () => {
  const dir = tempDir();
  const running: ServiceProcess[] = [];
  after(() => {
    for (const service of running) service.kill();
    dir.cleanup();
  });

  it('says where everything is in one plain line (LOG_FORMAT=pretty), and a second process on its port fails in one line with exit code 1', async () => {
    const service = await spawnService({ DATA_DIR: dir.path, LOG_FORMAT: 'pretty', TIDINGS_PLUGINS: '' });
    running.push(service);
    const port = new URL(service.url).port;
    const line = `tidings listening on ${service.url} — dashboard /, API /swagger, metrics /metrics (open development mode)`;
    // /health may answer a moment before the line is out: wait for it, then check it is whole and plain.
    await waitFor(() => service.output().includes('tidings listening on'), 10_000, 'the start line');
    assert.ok(service.output().split('\n').includes(line), `the plain start line is printed:\n${service.output()}`);

    const second = await runToExit({ PORT: port, DATA_DIR: join(dir.path, 'second') });
    assert.equal(second.code, 1);
    assert.match(second.output, new RegExp(`^tidings: port ${port} on 127\\.0\\.0\\.1 is already in use; stop what is listening there or set PORT to another port\\.$`, 'm'));
    assert.doesNotMatch(second.output, STACK_FRAME, 'no stack trace');
  });

  it('logs the start line as a JSON record when stdout is not a terminal', async () => {
    const service = await spawnService({ DATA_DIR: join(dir.path, 'json'), TIDINGS_PLUGINS: '', JWT_SECRET: 'a-secret-of-sixteen-or-more' });
    running.push(service);
    await waitFor(() => service.output().includes('tidings listening on'), 10_000, 'the start record');
    const records = service
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; url?: string; mode?: string; metrics?: string });
    const start = records.find((r) => r.msg.startsWith('tidings listening on'));
    assert.ok(start, `a start record:\n${service.output()}`);
    assert.equal(start.msg, `tidings listening on ${service.url} — dashboard /, API /swagger, metrics /metrics (JWT)`);
    assert.equal(start.mode, 'jwt');
    assert.equal(start.metrics, `${service.url}/metrics`);
    service.kill();
  });

  it('refuses a DATA_DIR it cannot write in one line with exit code 1', async () => {
    const file = join(dir.path, 'not-a-directory');
    writeFileSync(file, 'a file where the data directory should be');
    const result = await runToExit({ PORT: '0', DATA_DIR: join(file, 'data') });
    assert.equal(result.code, 1);
    assert.match(result.output, new RegExp(`^tidings: DATA_DIR ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/data cannot be written \\(ENOTDIR\\); set DATA_DIR to a directory this user can write\\.$`, 'm'));
    assert.doesNotMatch(result.output, STACK_FRAME, 'no stack trace');
  });
});

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ALL_CASES, collectStream, connect, record } from './support/signalr.js';
import { waitFor } from './support/wait.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** The README's command, as a user runs it: `npm run conformance -- --port N`. */
describe('the conformance server started by `npm run conformance`', () => {
  let child: ChildProcess;
  let url: string;

  before(async () => {
    child = spawn('npm', ['run', 'conformance', '--silent', '--', '--port', '0'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => /listening on (http:\/\/\S+)/.test(output), 120_000, `the server to start; output so far:\n${output}`);
    url = /listening on (http:\/\/\S+)/.exec(output)![1]!;
  });
  after(() => {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  });

  for (const clientCase of ALL_CASES) {
    it(`talks to the official client over ${clientCase.name}`, async () => {
      const connection = await connect(`${url}/testhub`, clientCase);
      try {
        const messages = record<string>(connection, 'Message');
        assert.equal(await connection.invoke('Echo', 'conformance'), 'conformance');
        await connection.invoke('InvokeWithString', 'callback');
        await waitFor(() => messages.length === 1, 5000, 'the callback');
        assert.deepEqual(await collectStream(connection.stream('Stream')), ['a', 'b', 'c']);
      } finally {
        await connection.stop();
      }
    });
  }

  it('serves /authorizedhub with a token from /generateJwtToken', async () => {
    const token = await (await fetch(`${url}/generateJwtToken`)).text();
    const connection = await connect(`${url}/authorizedhub`, ALL_CASES[0]!, { accessToken: token });
    assert.equal(await connection.invoke('Echo', 'authorized'), 'authorized');
    await connection.stop();
    await assert.rejects(connect(`${url}/authorizedhub`, ALL_CASES[0]!));
  });
});

import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createTidingsServer } from '../src/index.js';
import { tempDir } from './support/service.js';

/** A logger whose lines the test reads. */
function capturedLogger(): { logger: pino.Logger; text(): string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), text: () => lines.join('') };
}

describe('open development mode is local and keeps its Conduit master key out of the log', () => {
  it('binds 127.0.0.1 when HOST is not set, says so, and writes the generated master key to a 0600 file', async () => {
    const dir = tempDir();
    const log = capturedLogger();
    const server = await createTidingsServer({ config: { port: 0, dataDir: dir.path, demoSpeed: 20, plugins: ['@tidings/example-conduit'] }, logger: log.logger });
    try {
      const url = await server.listen();
      assert.equal((server.app.server.address() as AddressInfo).address, '127.0.0.1');
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(log.text(), /listens on 127\.0\.0\.1 only \(set HOST to listen elsewhere\)/);

      const file = join(dir.path, 'conduit-master-key');
      assert.equal(statSync(file).mode & 0o777, 0o600, 'only the owner may read the key');
      const key = readFileSync(file, 'utf8').trim();
      assert.match(key, /^mk_/);
      assert.ok(!log.text().includes(key), 'the key itself is never logged');
      assert.ok(log.text().includes(file), 'the log says where the key is');
      const admin = await fetch(`${url}/api/conduit/admin/virtual-keys`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(admin.status, 200, 'the key in the file is the one in force');
    } finally {
      await server.close();
      dir.cleanup();
    }
  });

  it('listens where HOST says, and everywhere by default once JWT_SECRET is set', async () => {
    const dir = tempDir();
    const jwt = await createTidingsServer({
      config: { port: 0, dataDir: dir.path, jwtSecret: 'a-test-secret-of-more-than-32-characters!' },
      logger: pino({ level: 'silent' }),
    });
    try {
      await jwt.listen();
      assert.equal((jwt.app.server.address() as AddressInfo).address, '0.0.0.0');
    } finally {
      await jwt.close();
    }
    const log = capturedLogger();
    const open = await createTidingsServer({ config: { port: 0, host: '0.0.0.0', dataDir: dir.path }, logger: log.logger });
    try {
      await open.listen();
      assert.equal((open.app.server.address() as AddressInfo).address, '0.0.0.0');
      assert.match(log.text(), /Open mode listens on 0\.0\.0\.0, as HOST says/);
    } finally {
      await open.close();
      dir.cleanup();
    }
  });
});

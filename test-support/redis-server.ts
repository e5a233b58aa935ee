/**
 * Starts a real `redis-server` for a test: on a free port, in a temporary
 * directory, without persistence, killed when the test process exits even if
 * the test forgot to stop it. Never touches a system Redis.
 *
 * ```ts
 * describe('…', { skip: redisSkipReason }, () => {
 *   let redis: RedisServer;
 *   before(async () => { redis = await startRedisServer(); });
 *   after(() => redis.stop());
 * });
 * ```
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killOnExit } from './processes.js';

/** Why Redis suites skip here, or undefined when `scripts/run-tests.mjs` found redis-server. */
export const redisSkipReason: string | undefined =
  process.env.TIDINGS_REDIS_SERVER === '1' ? undefined : 'redis-server is not available (TIDINGS_REDIS_SERVER is not 1; run through scripts/run-tests.mjs)';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:{port}` */
  readonly url: string;
  /** Shuts the server down (SIGTERM), waits for it to exit, and removes its directory. */
  stop(): Promise<void>;
  /** Shuts the server down but keeps its port and directory for `restart()` (an outage). */
  shutdown(): Promise<void>;
  /** Starts it (again) on the same port, with an empty data set, as after a crash without persistence. */
  restart(): Promise<void>;
}

/** Give up waiting for "Ready to accept connections" after this long. */
const START_TIMEOUT_MS = 10_000;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--daemonize', 'no'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    const onExit = (code: number | null): void => fail(new Error(`redis-server exited (${code}) while starting:\n${output}`));
    function fail(error: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', onExit);
    child.once('error', (error) => fail(error));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-redis-'));
  let child: ChildProcess | undefined;
  let port = 0;
  // Another process may grab the free port before redis binds it: try a few.
  for (let attempt = 0; child === undefined; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir);
    } catch (error) {
      if (attempt >= 4 || !String((error as Error).message).includes('Address already in use')) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  let current: ChildProcess | undefined = child;

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await server.shutdown();
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    },
    async shutdown() {
      const stopping = current;
      current = undefined;
      if (!stopping) return;
      stopping.kill('SIGTERM');
      await exited(stopping);
    },
    async restart() {
      await server.shutdown();
      current = await launch(port, dir);
    },
  };
  return server;
}

/**
 * Every README block fenced ```` ```ts run ```` runs with tsx in a child process and exits 0
 * within the timeout. It gets `PORT=0`, and `REDIS_URL` from a redis-server started here on a
 * free port when any runnable block reads it. Type-checking is `readme-blocks-typecheck.test.ts`'s.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { killOnExit } from '../test-support/processes.js';
import { type RedisServer, redisSkipReason, startRedisServer } from '../test-support/redis-server.js';
import { type ReadmeBlock, where, writeBlocks } from './support/readme-blocks.js';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, '.readme-blocks', 'run');
/** A block has this long to run to its end (tsx compiles the packages' sources first). */
const RUN_TIMEOUT_MS = 90_000;

const files = [...writeBlocks(root, dir)].filter(([, block]) => block.runnable);
const needsRedis = (block: ReadmeBlock): boolean => block.code.includes('REDIS_URL');

describe('README blocks marked `run`', () => {
  let redis: RedisServer | undefined;
  before(async () => {
    if (!redisSkipReason && files.some(([, block]) => needsRedis(block))) redis = await startRedisServer();
  });
  after(() => redis?.stop());

  test('exist', () => assert.ok(files.length > 0, 'no block is marked runnable'));

  for (const [file, block] of files) {
    test(`${block.readme} line ${block.line} runs and exits 0`, { skip: needsRedis(block) ? redisSkipReason : undefined }, async () => {
      // Its own working directory, so relative paths it writes (data/…) stay inside the ignored folder.
      const cwd = `${file}.cwd`;
      mkdirSync(cwd, { recursive: true });
      // PORT=0: a block that listens on PORT gets a free port rather than the 5000 a developer may be using.
      const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', REDIS_URL: redis?.url };
      if (!redis) delete env.REDIS_URL;
      const child = spawn(process.execPath, ['--conditions=tidings-src', '--import', 'tsx', file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      killOnExit(child);
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
      clearTimeout(timer);
      const how = signal === 'SIGKILL' ? `did not exit within ${RUN_TIMEOUT_MS / 1000} s (killed)` : `exited with ${code ?? signal}`;
      assert.equal(code, 0, `${where(block)} ${how}:\n${output.slice(-4000)}`);
    });
  }
});

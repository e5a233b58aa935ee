import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/index.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('scaled-mode configuration', () => {
  it('without REDIS_URL the service is the embedded one: role all, nothing else changes', () => {
    const config = loadConfig({});
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.role, 'all');
    assert.equal(config.redisPrefix, 'tidings');
    assert.equal(config.jobLockMs, 30_000);
    assert.equal(config.nodeTimeoutMs, 15_000);
  });

  it('reads REDIS_URL, ROLE, REDIS_PREFIX, JOB_LOCK_MS and NODE_TIMEOUT_MS', () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6380', ROLE: 'Worker', REDIS_PREFIX: 'yt', JOB_LOCK_MS: '5000', NODE_TIMEOUT_MS: '3000' });
    assert.deepEqual(
      { redisUrl: config.redisUrl, role: config.role, redisPrefix: config.redisPrefix, jobLockMs: config.jobLockMs, nodeTimeoutMs: config.nodeTimeoutMs },
      { redisUrl: 'redis://127.0.0.1:6380', role: 'worker', redisPrefix: 'yt', jobLockMs: 5000, nodeTimeoutMs: 3000 },
    );
    assert.equal(loadConfig({ REDIS_URL: 'rediss://user:pw@cache.example:6380/2', ROLE: 'api' }).role, 'api');
  });

  it('refuses what cannot work, naming the variable', () => {
    assert.throws(() => loadConfig({ ROLE: 'worker' }), (e: unknown) => e instanceof ConfigError && /ROLE=worker needs REDIS_URL/.test(e.message));
    assert.throws(() => loadConfig({ ROLE: 'api' }), /ROLE=api needs REDIS_URL/);
    assert.throws(() => loadConfig({ REDIS_URL: 'redis://x', ROLE: 'scheduler' }), /ROLE must be one of api, worker, all/);
    assert.throws(() => loadConfig({ REDIS_URL: 'localhost:6379' }), /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    assert.throws(() => loadConfig({ REDIS_URL: 'redis://x', JOB_LOCK_MS: '10' }), /JOB_LOCK_MS must be an integer from 100/);
    assert.throws(() => loadConfig({ REDIS_URL: 'redis://x', NODE_TIMEOUT_MS: 'soon' }), /NODE_TIMEOUT_MS must be an integer/);
  });

  it('`npm run worker` without REDIS_URL stops at once with the reason', () => {
    const env = { ...process.env };
    delete env.REDIS_URL;
    delete env.ROLE;
    const result = spawnSync(process.execPath, ['--conditions=tidings-src', '--import', 'tsx', 'packages/server/src/worker.ts'], { cwd: repoRoot, env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /tidings: ROLE=worker needs REDIS_URL/);
  });
});

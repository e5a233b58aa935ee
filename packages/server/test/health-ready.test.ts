import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisSkipReason } from '../../../test-support/redis-server.js';
import { scaledServiceFixture } from './support/scaled-service.js';
import { eventually, serviceFixture } from './support/service.js';

describe('/health/live and /health/ready on one machine', () => {
  const fixture = serviceFixture();

  it('is live and ready while the SQLite store answers', async () => {
    const live = await fixture.service.http('/health/live');
    assert.deepEqual([live.status, live.body], [200, { status: 'live' }]);
    const ready = await fixture.service.http('/health/ready');
    assert.deepEqual([ready.status, ready.body], [200, { status: 'ready', checks: { store: true } }]);
  });
});

describe('/health/ready in scaled mode', { skip: redisSkipReason }, () => {
  const scaled = scaledServiceFixture('ready', { config: { role: 'api' } });

  it('answers 503 while Redis is down and 200 once it is back; live throughout', async () => {
    const { service, redis } = scaled;
    const ready = () => service.http('/health/ready');
    const up = await ready();
    assert.equal(up.status, 200);
    assert.deepEqual(up.body, { status: 'ready', checks: { redis: true, backplane: true, feed: true } });

    await redis.shutdown();
    const down = await eventually(ready, (r) => r.status === 503, 15_000, '/health/ready 503 with Redis down');
    assert.equal(down.body.status, 'unavailable');
    assert.equal(down.body.checks.redis, false);
    assert.equal((await service.http('/health/live')).status, 200, 'the process still answers');

    await redis.restart();
    const back = await eventually(ready, (r) => r.status === 200, 30_000, '/health/ready 200 with Redis back');
    assert.deepEqual(back.body.checks, { redis: true, backplane: true, feed: true });
  });
});

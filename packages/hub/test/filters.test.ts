import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HubFilter } from '../src/hub/filters.js';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { HubException } from '../src/hub/hub-exception.js';
import type { RequestInfo } from '../src/connection/request-info.js';
import { TRANSPORT_CASES, closed, connect } from './support/signalr.js';
import { type TestServer, startHubs } from './support/server.js';
import { waitFor } from './support/wait.js';

const trace: string[] = [];

class FilteredHub extends Hub {
  @hubMethod()
  greet(name: string) {
    trace.push(`method:${name}`);
    return `hello ${name}`;
  }
  @hubMethod()
  adminOnly() {
    return 'secret';
  }
  @hubMethod()
  ping() {
    return 'pong';
  }
  override onConnected() {
    trace.push(`hub:connected:${this.context.userIdentifier}`);
  }
  override onDisconnected() {
    trace.push(`hub:disconnected:${this.context.userIdentifier}`);
  }
}

/** Records the order filters run in, before and after the inner call. */
const tracing = (name: string): HubFilter => ({
  async invokeMethod(invocation, next) {
    trace.push(`${name}:before:${invocation.methodName}`);
    try {
      return await next(invocation);
    } finally {
      trace.push(`${name}:after:${invocation.methodName}`);
    }
  },
  async onConnected(lifetime, next) {
    trace.push(`${name}:connected`);
    await next(lifetime);
  },
  async onDisconnected(lifetime, error, next) {
    trace.push(`${name}:disconnected`);
    await next(lifetime, error);
  },
});

/** Per-method authorization from the user's claims. */
const adminOnly: HubFilter = {
  async invokeMethod(invocation, next) {
    if (invocation.methodName === 'adminOnly' && invocation.context.user?.claims.role !== 'admin') {
      throw new HubException('Forbidden: admin role required.');
    }
    return next(invocation);
  },
};

/** Argument validation and normalisation before the method sees them. */
const validateGreet: HubFilter = {
  async invokeMethod(invocation, next) {
    if (invocation.methodName === 'greet') {
      const [name] = invocation.arguments;
      if (typeof name !== 'string' || name.trim() === '') throw new HubException('name must be a non-empty string.');
      invocation.arguments = [name.trim()];
    }
    return next(invocation);
  },
};

/** A fixed-window limit per connection. */
function rateLimit(limit: number, windowMs: number): HubFilter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    async invokeMethod(invocation, next) {
      const key = invocation.context.connectionId;
      const now = Date.now();
      let window = windows.get(key);
      if (!window || now - window.start >= windowMs) windows.set(key, (window = { start: now, count: 0 }));
      if (++window.count > limit) throw new HubException(`Rate limit of ${limit} invocations per ${windowMs} ms exceeded.`);
      return next(invocation);
    },
  };
}

/** Refuses to connect users on a block list, from onConnected. */
const blockList: HubFilter = {
  async onConnected(lifetime, next) {
    if (lifetime.context.userIdentifier === 'blocked') throw new HubException('You are blocked.');
    await next(lifetime);
  },
};

const userFromToken = (_request: RequestInfo, token: string | undefined) => {
  if (!token) return null;
  const [id, role] = token.split(':');
  return { id, claims: { role } };
};

describe('hub filters', () => {
  let server: TestServer;

  before(async () => {
    server = await startHubs((hubs) =>
      hubs.mapHub('/filtered', FilteredHub, {
        authenticate: userFromToken,
        filters: [tracing('outer'), tracing('inner'), blockList, rateLimit(5, 60_000), adminOnly, validateGreet],
      }),
    );
  });
  after(() => server.close());

  for (const clientCase of TRANSPORT_CASES) {
    it(`compose in order around invocations and lifetime (${clientCase.name})`, async () => {
      trace.length = 0;
      const connection = await connect(`${server.url}/filtered`, clientCase, { accessToken: 'ann:user' });
      assert.equal(await connection.invoke('Greet', '  ann  '), 'hello ann');
      assert.deepEqual(trace, [
        'outer:connected',
        'inner:connected',
        'hub:connected:ann',
        'outer:before:greet',
        'inner:before:greet',
        'method:ann',
        'inner:after:greet',
        'outer:after:greet',
      ]);
      await connection.stop();
      await waitFor(() => trace.includes('hub:disconnected:ann'), 3000, 'onDisconnected');
      assert.deepEqual(trace.slice(-3), ['outer:disconnected', 'inner:disconnected', 'hub:disconnected:ann']);
    });
  }

  it('short-circuit with a HubException: authorization, validation, rate limits', async () => {
    const user = await connect(`${server.url}/filtered`, TRANSPORT_CASES[0]!, { accessToken: 'bo:user' });
    const admin = await connect(`${server.url}/filtered`, TRANSPORT_CASES[0]!, { accessToken: 'cy:admin' });
    try {
      await assert.rejects(user.invoke('AdminOnly'), /HubException: Forbidden: admin role required\./);
      assert.equal(await admin.invoke('AdminOnly'), 'secret');
      await assert.rejects(user.invoke('Greet', '   '), /HubException: name must be a non-empty string\./);
      trace.length = 0;
      await assert.rejects(user.invoke('Greet', ''), /non-empty/);
      assert.ok(!trace.some((t) => t.startsWith('method:')), 'the method never ran');
      // bo has used 3 of 5; two more pass, the sixth is refused.
      assert.equal(await user.invoke('Ping'), 'pong');
      assert.equal(await user.invoke('Ping'), 'pong');
      await assert.rejects(user.invoke('Ping'), /Rate limit of 5 invocations per 60000 ms exceeded/);
      assert.equal(await admin.invoke('Ping'), 'pong', 'limits are per connection');
    } finally {
      await user.stop();
      await admin.stop();
    }
  });

  it('an onConnected filter can refuse a connection with a message', async () => {
    const connection = await connect(`${server.url}/filtered`, TRANSPORT_CASES[0]!, { accessToken: 'blocked:user' }).catch((e: Error) => e);
    if (connection instanceof Error) {
      assert.match(connection.message, /You are blocked/);
    } else {
      const error = await closed(connection);
      assert.match(String(error), /Connection closed with an error\. HubException: You are blocked\./);
    }
  });
});

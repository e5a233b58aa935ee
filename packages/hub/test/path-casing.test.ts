import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestHub } from '../src/conformance/test-hub.js';
import { type TestServer, startHubs } from './support/server.js';
import { NEGOTIATED_CASES, connect, signalR, transportName } from './support/signalr.js';

/** ASP.NET routing ignores case: a hub mapped at `/testhub` answers `/TestHub` on every transport. */
describe('hub paths are matched ignoring case', () => {
  let server: TestServer;
  let base = '';

  before(async () => {
    server = await startHubs((hubs) => {
      hubs.mapHub('/testhub', TestHub);
      // A load balancer's negotiate answer, pointing at the hub with other casing.
      hubs.mapHub('/bounce', TestHub, { onNegotiate: () => ({ redirect: `${base}/TESTHUB?numRedirects=1`, accessToken: 'from-bounce' }) });
    });
    base = server.url;
  });
  after(() => server.close());

  for (const clientCase of [...NEGOTIATED_CASES.filter((c) => c.protocol === 'json'), { ...NEGOTIATED_CASES[0]!, name: 'WebSockets/JSON (skipNegotiation)', skipNegotiation: true }]) {
    it(`/TestHub reaches /testhub (${clientCase.name})`, async () => {
      const connection = await connect(`${server.url}/TestHub`, clientCase);
      try {
        assert.equal(await connection.invoke('Echo', 'cased'), 'cased');
        assert.equal(await connection.invoke('GetActiveTransportName'), transportName[clientCase.transport]);
      } finally {
        await connection.stop();
      }
    });
  }

  it('negotiate answers at any casing, and a redirect to a differently-cased path is followed', async () => {
    const response = await fetch(`${server.url}/TESTHUB/Negotiate?negotiateVersion=1`, { method: 'POST' });
    assert.equal(response.status, 200);
    const connection = new signalR.HubConnectionBuilder().withUrl(`${server.url}/bounce`).configureLogging(signalR.NullLogger.instance).build();
    await connection.start();
    try {
      assert.equal(await connection.invoke('GetNumRedirects'), 1);
      assert.equal(await connection.invoke('GetActiveTransportName'), 'WebSockets');
    } finally {
      await connection.stop();
    }
  });

  it('keeps the mapped casing, and refuses a second mapping that differs only in case', () => {
    assert.equal(server.hubs.endpoint('/TESTHUB')?.path, '/testhub');
    assert.ok(server.hubs.paths.includes('/testhub'));
    assert.throws(() => server.hubs.mapHub('/TestHub', TestHub), /'\/testhub' is already mapped/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MASTER_KEY, TRANSPORT_CASES, closed, connect, conduitFixture } from './support/conduit-service.js';

describe("revoking a Conduit key closes that key's connections only", () => {
  const fixture = conduitFixture();

  it('a YoutubeRag user on /hubs/notifications whose user id is the key id stays connected', async () => {
    const { service } = fixture;
    const issued = await service.http('/api/conduit/admin/virtual-keys', { body: { name: 'namesake' }, token: MASTER_KEY });
    const { id, key } = issued.body as { id: string; key: string };
    const devToken = (await service.http('/api/v1/auth/dev-token', { body: { userId: id } })).body.token as string;
    const url = `${service.url}/hubs/notifications`;
    const keyConnection = await connect(url, TRANSPORT_CASES[0]!, { accessToken: key });
    const namesake = await connect(url, TRANSPORT_CASES[0]!, { accessToken: devToken });
    try {
      const keyClosed = closed(keyConnection);
      assert.equal((await service.http(`/api/conduit/admin/virtual-keys/${id}`, { method: 'DELETE', token: MASTER_KEY })).status, 200);
      await keyClosed;
      // Answered after the revocation was handled: had it been closed with the key, this would fail.
      assert.equal(((await namesake.invoke('Ping')) as { pong: boolean }).pong, true);
      assert.equal(namesake.state, 'Connected');
    } finally {
      await Promise.all([keyConnection.stop(), namesake.stop()]);
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { ClientStoppedError, type JobEvent, JobProgressClient, TidingsApiError } from '../src/index.js';
import { memoryLogger, startService, tempDir, waitFor, within } from './support/service.js';

const SECRET = 'client-tests-secret-0123456789';

function tokenFor(userId: string, secret = SECRET): Promise<string> {
  return new SignJWT({ sub: userId }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(secret));
}

describe('@tidings/client with JWT and across its lifecycle', () => {
  it('sends the token to the hub and the REST API; a refused token stops the client instead of retrying for ever', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const service = await startService(dir.path, { config: { jwtSecret: SECRET, demoSpeed: 20 } });
    t.after(() => service.close());

    const alice = new JobProgressClient({ baseUrl: service.url, accessToken: () => tokenFor('alice'), logger: memoryLogger() });
    t.after(() => alice.stop());
    await alice.start();
    // Listening before the job exists: its first events (and its steps') may come through alice's user group before ingestVideo resolves.
    const heard: JobEvent[] = [];
    alice.onJobEvent((e) => heard.push(e));
    const { jobId } = await alice.ingestVideo({ url: 'https://videos.example/alice' });
    const events = () => heard.filter((e) => e.jobId === jobId);
    await alice.subscribeToJob(jobId, { after: 0 });
    await waitFor(() => events().at(-1)?.type === 'JobCompleted', 20_000, "alice's job to complete");
    assert.equal(events()[0]!.sequence, 1);
    assert.deepEqual((await alice.getActiveJobs()).map((j) => j.jobId), []);

    // Bob may connect, but alice's job is not his: the subscription rejects (404), nothing is delivered.
    const bob = new JobProgressClient({ baseUrl: service.url, accessToken: await tokenFor('bob'), logger: memoryLogger() });
    t.after(() => bob.stop());
    const bobSaw: JobEvent[] = [];
    bob.onJobEvent((e) => bobSaw.push(e));
    const hubErrors: string[] = [];
    bob.onError((e) => hubErrors.push(e.code));
    await bob.start();
    await assert.rejects(bob.subscribeToJob(jobId), (error: unknown) => error instanceof TidingsApiError && error.status === 404);
    assert.deepEqual(hubErrors, ['UNAUTHORIZED']);
    assert.deepEqual(bobSaw, []);

    const forged = new JobProgressClient({ baseUrl: service.url, accessToken: await tokenFor('mallory', 'another-secret-0123456789'), logger: memoryLogger() });
    const closed: (Error | undefined)[] = [];
    forged.onConnectionClosed((e) => closed.push(e));
    // Made before start(): they wait for a connection that never comes, so the refusal ends them too.
    const early = forged.subscribeToJob(jobId);
    const earlyWatch = forged.watchJob(jobId, () => undefined);
    const refused = (error: unknown) => error instanceof TidingsApiError && error.status === 401;
    await assert.rejects(forged.start(), refused);
    assert.equal(forged.state, 'disconnected');
    assert.equal(closed.length, 1);
    await assert.rejects(within(early, 5000, 'subscribeToJob to settle after the refusal'), refused);
    await assert.rejects(within(earlyWatch.ready, 5000, 'watchJob to settle after the refusal'), refused);
  });

  it('subscriptions made before start() wait for the connection; stop() ends them', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const service = await startService(dir.path, { config: { demoSpeed: 20 } });
    t.after(() => service.close());
    const { jobId } = await new JobProgressClient({ baseUrl: service.url }).ingestVideo({ url: 'https://videos.example/early' });

    const client = new JobProgressClient({ baseUrl: service.url, logger: memoryLogger() });
    const events: JobEvent[] = [];
    const watch = client.watchJob(jobId, (e) => events.push(e), { after: 0 });
    assert.equal(client.state, 'disconnected');
    await client.start();
    await watch.ready;
    await waitFor(() => events.at(-1)?.type === 'JobCompleted', 20_000, 'the job to complete');
    assert.deepEqual(events.map((e) => e.sequence), events.map((_, i) => i + 1));

    const closes: (Error | undefined)[] = [];
    client.onConnectionClosed((error) => closes.push(error));
    const pending = client.subscribeToJob('00000000-0000-4000-8000-000000000000');
    await client.stop();
    await assert.rejects(pending, (error: unknown) => error instanceof ClientStoppedError || error instanceof TidingsApiError);
    assert.equal(client.state, 'disconnected');
    assert.deepEqual(closes, [undefined], 'closed once, without an error');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoProcessors, jsonField, jsonString } from '@tidings/server';
import { TRANSPORT_CASES, connect, gated, processorsOf, record, serviceFixture, signalR, waitFor } from '../../../packages/server/test/support/service.js';
import { type DeploymentProgressMessage, type DeploymentStatusMessage, type HotSwapPluginOptions, deploymentJobType, hotswapPlugin } from '../src/index.js';

const SPEED = 20;

/** The service with the HotSwap plugin only. */
function hotswapFixture(options: Parameters<typeof serviceFixture>[0] & { hotswap?: HotSwapPluginOptions } = {}) {
  const { hotswap, ...rest } = options;
  return serviceFixture({ ...rest, plugins: [hotswapPlugin({ demoSpeed: rest.config?.demoSpeed ?? SPEED, ...hotswap })] });
}

/** Deployments wait until the test opens the gate of their module name. */
function gatedDeployments() {
  return gated(processorsOf([deploymentJobType(SPEED)]), (job) => jsonString(jsonField(job.input, 'module'), 'name') ?? '');
}

/** HotSwap's JavaScript client, as written: only the base URL is the test's. */
async function seedClient(baseUrl: string) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${baseUrl}/deploymentHub`)
    .withAutomaticReconnect({
      nextRetryDelayInMilliseconds: (retryContext) => {
        if (retryContext.previousRetryCount === 0) return 0;
        if (retryContext.previousRetryCount === 1) return 2000;
        if (retryContext.previousRetryCount === 2) return 10000;
        return 30000;
      },
    })
    .configureLogging(signalR.LogLevel.None)
    .build();
  const statuses: DeploymentStatusMessage[] = [];
  const progress: DeploymentProgressMessage[] = [];
  connection.on('DeploymentStatusChanged', (message: DeploymentStatusMessage) => void statuses.push(message));
  connection.on('DeploymentProgress', (message: DeploymentProgressMessage) => void progress.push(message));
  await connection.start();
  return { connection, statuses, progress };
}

const STAGES = ['Validation', 'Build', 'Test', 'SecurityScan', 'Staging', 'Deployment', 'Verification', 'Finalization'];

describe("HotSwap's /deploymentHub", () => {
  const deployments = gatedDeployments();
  const fixture = hotswapFixture({ processors: { ...demoProcessors({ speed: SPEED }), ...deployments.processors } });
  const deploy = async (name: string, extra: Record<string, unknown> = {}) => {
    const response = await fixture.service.http('/api/deployments', {
      body: { module: { name, version: '1.0.0' }, targetEnvironment: 'Production', requesterEmail: 'user@example.com', ...extra },
    });
    assert.equal(response.status, 202, JSON.stringify(response.body));
    return response.body as { executionId: string; status: string };
  };

  it('streams a deployment to its subscriber: status to both groups, progress = completed stages × 100 / 8 only to the deployment', async () => {
    const watcher = await seedClient(fixture.service.url);
    const dashboard = await seedClient(fixture.service.url);
    try {
      await dashboard.connection.invoke('SubscribeToAllDeployments');
      const { executionId, status } = await deploy('TestModule');
      assert.equal(status, 'Pending');
      await watcher.connection.invoke('SubscribeToDeployment', executionId);
      await waitFor(() => watcher.statuses.length === 1, 2000, 'the current status on subscribe');
      deployments.open('TestModule');
      await waitFor(() => watcher.statuses.some((s) => s.Status === 'Succeeded'), 20_000, 'Succeeded');
      await waitFor(() => dashboard.statuses.some((s) => s.Status === 'Succeeded'), 2000, 'the dashboard sees it');

      // The status at subscribe time (running: its first stage waits for the test), then the change at the end.
      assert.deepEqual(watcher.statuses.map((s) => s.Status), ['Running', 'Succeeded']);
      assert.deepEqual(
        watcher.progress.map((p) => [p.Stage, p.Progress]),
        [...STAGES.map((stage, i) => [stage, Math.floor((i * 100) / 8)]), ['Finalization', 100]],
      );
      for (const p of watcher.progress) {
        assert.deepEqual(Object.keys(p), ['ExecutionId', 'Stage', 'Progress', 'Timestamp']);
        assert.equal(p.ExecutionId, executionId);
      }
      const done = watcher.statuses.at(-1)!;
      assert.deepEqual(Object.keys(done), ['ExecutionId', 'Status', 'UpdatedAt', 'Details']);
      assert.equal(done.Details.ExecutionId, executionId);
      assert.deepEqual(done.Details.Request, { Module: { Name: 'TestModule', Version: '1.0.0' }, TargetEnvironment: 'Production', RequesterEmail: 'user@example.com' });
      assert.deepEqual(done.Details.Stages.map((s) => [s.StageName, s.Status]), STAGES.map((s) => [s, 'Succeeded']));
      assert.equal(done.UpdatedAt, done.Details.LastUpdated);

      // Dashboards get status changes (created, started, done), never progress.
      assert.deepEqual(dashboard.statuses.map((s) => s.Status), ['Pending', 'Running', 'Succeeded']);
      assert.deepEqual(dashboard.progress, []);

      const rest = await fixture.service.http(`/api/deployments/${executionId}`);
      assert.equal(rest.status, 200);
      assert.equal(rest.body.status, 'Succeeded');
      assert.equal(rest.body.progress, 100);
    } finally {
      await Promise.all([watcher.connection.stop(), dashboard.connection.stop()]);
    }
  });

  it('a failing stage: Failed status, progress 100, the failed stage in Details', async () => {
    const watcher = await seedClient(fixture.service.url);
    try {
      await watcher.connection.invoke('SubscribeToAllDeployments');
      const { executionId } = await deploy('BrokenModule', { simulateFailureAt: 'Test' });
      deployments.open('BrokenModule');
      await waitFor(() => watcher.statuses.some((s) => s.ExecutionId === executionId && s.Status === 'Failed'), 20_000, 'Failed');
      const failed = watcher.statuses.find((s) => s.Status === 'Failed')!;
      assert.deepEqual(failed.Details.Stages.map((s) => [s.StageName, s.Status]), [
        ['Validation', 'Succeeded'],
        ['Build', 'Succeeded'],
        ['Test', 'Failed'],
      ]);
      assert.match(failed.Details.ErrorMessage ?? '', /Test failed \(simulated\)/);
    } finally {
      await watcher.connection.stop();
    }
  });

  it('unsubscribing stops the events', async () => {
    const client = await seedClient(fixture.service.url);
    try {
      await client.connection.invoke('SubscribeToAllDeployments');
      const first = await deploy('UnsubscribeA');
      await client.connection.invoke('SubscribeToDeployment', first.executionId);
      await client.connection.invoke('UnsubscribeFromDeployment', first.executionId);
      await client.connection.invoke('UnsubscribeFromAllDeployments');
      const statusesBefore = client.statuses.length;
      deployments.open('UnsubscribeA');
      const second = await deploy('UnsubscribeB');
      deployments.open('UnsubscribeB');
      // A third watcher proves both ran to the end.
      const check = await seedClient(fixture.service.url);
      await check.connection.invoke('SubscribeToDeployment', second.executionId);
      await waitFor(() => check.statuses.some((s) => s.Status === 'Succeeded'), 20_000, 'the second deployment ends');
      await check.connection.stop();
      assert.equal((await fixture.service.http(`/api/deployments/${first.executionId}`)).body.status, 'Succeeded');
      assert.equal(client.statuses.length, statusesBefore, 'no status after unsubscribing');
      assert.deepEqual(client.progress, []);
    } finally {
      await client.connection.stop();
    }
  });

  it("validates the execution id as HotSwap does: null names the argument, empty and whitespace are refused; the connection stays usable", async () => {
    const connection = await connect(`${fixture.service.url}/deploymentHub`, TRANSPORT_CASES[1]!);
    try {
      for (const method of ['SubscribeToDeployment', 'UnsubscribeFromDeployment']) {
        await assert.rejects(
          connection.invoke(method, null),
          (error: Error) => error.message === `An unexpected error occurred invoking '${method}' on the server. HubException: Execution ID cannot be null. (Parameter 'executionId')`,
        );
        for (const blank of ['', '   ']) {
          await assert.rejects(connection.invoke(method, blank), /HubException: Execution ID cannot be empty or whitespace\. \(Parameter 'executionId'\)/);
        }
      }
      await connection.invoke('SubscribeToDeployment', 'd355c24f-8b11-4c5a-a4e7-1a2b3c4d5e6f');
      await connection.invoke('SubscribeToAllDeployments');
    } finally {
      await connection.stop();
    }
  });

  it('POST /api/deployments refuses bad requests with 400 and starts nothing', async () => {
    const before = (await fixture.service.http('/api/deployments')).body.deployments.length as number;
    for (const body of [{}, { module: { name: 'x' }, targetEnvironment: 'Production' }, { module: { name: 'x', version: '1' }, targetEnvironment: 'Moon' }]) {
      const response = await fixture.service.http('/api/deployments', { body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(typeof response.body.message, 'string');
    }
    assert.equal((await fixture.service.http('/api/deployments')).body.deployments.length, before);
    assert.equal((await fixture.service.http('/api/deployments/nope')).status, 404);
  });
});

describe('HotSwap: a notifier failure never stops the pipeline', () => {
  let failures = 0;
  const deployments = gatedDeployments();
  const fixture = hotswapFixture({
    processors: { ...demoProcessors({ speed: SPEED }), ...deployments.processors },
    hotswap: {
      decorateNotifier: (notifier) => ({
        notifyDeploymentProgress: (id, stage, progress) => notifier.notifyDeploymentProgress(id, stage, progress),
        async notifyDeploymentStatusChanged() {
          failures++;
          throw new Error('SignalR is down (test)');
        },
      }),
    },
  });

  it('every status send fails; the deployment still succeeds and progress still flows', async () => {
    const created = await fixture.service.http('/api/deployments', { body: { module: { name: 'Resilient', version: '2.0.0' }, targetEnvironment: 'Staging' } });
    assert.equal(created.status, 202);
    const executionId = created.body.executionId as string;
    const watcher = await connect(`${fixture.service.url}/deploymentHub`, TRANSPORT_CASES[0]!);
    try {
      const progress = record<DeploymentProgressMessage>(watcher, 'DeploymentProgress');
      await watcher.invoke('SubscribeToDeployment', executionId);
      deployments.open('Resilient'); // only now: the watcher sees every stage, however slow the machine
      await waitFor(() => progress.some((p) => p.Progress === 100), 20_000, 'the last progress');
      assert.equal((await fixture.service.http(`/api/deployments/${executionId}`)).body.status, 'Succeeded');
      assert.deepEqual(progress.map((p) => p.Stage).slice(-2), ['Finalization', 'Finalization']);
      assert.ok(failures >= 3, `status sends failed ${failures} times`);
      assert.ok((await fixture.service.http('/health')).body.plugins.hotswap.notificationFailures >= 3);
    } finally {
      await watcher.stop();
    }
  });
});

describe('HotSwap with JWT_SECRET set: the service\'s authentication applies', () => {
  const SECRET = 'a-test-secret-of-more-than-32-characters!';
  const fixture = hotswapFixture({ config: { jwtSecret: SECRET, demoSpeed: SPEED } });

  it('refuses /deploymentHub and /api/deployments without a valid token, accepts them with one', async () => {
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({ sub: 'ops' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
    const hubUrl = `${fixture.service.url}/deploymentHub`;
    await assert.rejects(connect(hubUrl, TRANSPORT_CASES[0]!), /401/);
    const body = { module: { name: 'Secured', version: '1.0.0' }, targetEnvironment: 'QA' };
    assert.equal((await fixture.service.http('/api/deployments', { body })).status, 401);
    const created = await fixture.service.http('/api/deployments', { body, token });
    assert.equal(created.status, 202);
    const connection = await connect(hubUrl, TRANSPORT_CASES[0]!, { accessToken: token });
    try {
      const statuses = record<DeploymentStatusMessage>(connection, 'DeploymentStatusChanged');
      await connection.invoke('SubscribeToDeployment', created.body.executionId);
      await waitFor(() => statuses.some((s) => s.Status === 'Succeeded'), 20_000, 'Succeeded');
    } finally {
      await connection.stop();
    }
  });
});

import { Hub, HubException, hubMethod } from '@tidings/hub';
import type { JobEngine } from '@tidings/jobs';
import { subscribeWithSnapshot } from '@tidings/server';
import { DEPLOYMENT_JOB_TYPE, deploymentGroups } from './deployment-constants.js';
import { deploymentStatusMessage } from './deployment-notifier.js';
import { executionState } from './deployment-state.js';

/**
 * HotSwap's `DeploymentHub` at `/deploymentHub`. The argument checks are
 * HotSwap's own: they reach the client as hub errors naming the argument.
 */
export class DeploymentHub extends Hub {
  constructor(private readonly engine: JobEngine) {
    super();
  }

  @hubMethod('SubscribeToDeployment')
  async subscribeToDeployment(executionId: unknown): Promise<void> {
    const id = requireExecutionId(executionId);
    // Joins `deployment-{id}` and sends the deployment's current status, if it exists yet, between two of its events.
    await subscribeWithSnapshot(this.engine, id, {
      // Subscribing before the deployment exists is allowed (HotSwap's advice is to subscribe first).
      authorize: (job) => ({ deployment: job?.type === DEPLOYMENT_JOB_TYPE ? job : undefined }),
      join: () => this.groups.addToGroup(this.context.connectionId, deploymentGroups.deployment(id)),
      sendSnapshot: async ({ deployment }) => {
        if (deployment) await this.clients.caller.send('DeploymentStatusChanged', deploymentStatusMessage(deployment.id, executionState(deployment)));
      },
    });
  }

  @hubMethod('UnsubscribeFromDeployment')
  async unsubscribeFromDeployment(executionId: unknown): Promise<void> {
    const id = requireExecutionId(executionId);
    await this.groups.removeFromGroup(this.context.connectionId, deploymentGroups.deployment(id));
  }

  @hubMethod('SubscribeToAllDeployments')
  async subscribeToAllDeployments(): Promise<void> {
    await this.groups.addToGroup(this.context.connectionId, deploymentGroups.all);
  }

  @hubMethod('UnsubscribeFromAllDeployments')
  async unsubscribeFromAllDeployments(): Promise<void> {
    await this.groups.removeFromGroup(this.context.connectionId, deploymentGroups.all);
  }
}

/** ArgumentNullException / ArgumentException, as the client sees them. */
function requireExecutionId(value: unknown): string {
  if (value === null || value === undefined) throw new HubException("Execution ID cannot be null. (Parameter 'executionId')");
  if (typeof value !== 'string') throw new HubException("Execution ID must be a string. (Parameter 'executionId')");
  if (value.trim() === '') throw new HubException("Execution ID cannot be empty or whitespace. (Parameter 'executionId')");
  return value;
}

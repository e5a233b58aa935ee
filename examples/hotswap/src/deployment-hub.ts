import { Hub, HubException, hubMethod } from '@tidings/hub';
import { deploymentGroups } from './deployment-constants.js';

/** What the hub asks of its surface. */
export interface DeploymentHubOperations {
  /** Joins `deployment-{id}` and sends the deployment's current status, if it exists yet, between two of its events. */
  subscribe(hub: DeploymentHub, executionId: string): Promise<void>;
}

/**
 * HotSwap's `DeploymentHub` at `/deploymentHub`. The argument checks are the
 * HotSwap's: they reach the client as hub errors naming the argument.
 */
export class DeploymentHub extends Hub {
  constructor(private readonly operations: DeploymentHubOperations) {
    super();
  }

  @hubMethod('SubscribeToDeployment')
  async subscribeToDeployment(executionId: unknown): Promise<void> {
    await this.operations.subscribe(this, requireExecutionId(executionId));
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

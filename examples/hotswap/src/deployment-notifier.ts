import type { HubContext } from '@tidings/hub';
import { deploymentGroups } from './deployment-constants.js';
import type { PipelineExecutionState } from './deployment-state.js';

/** HotSwap's `IDeploymentNotifier`. */
export interface DeploymentNotifier {
  notifyDeploymentStatusChanged(executionId: string, state: PipelineExecutionState): Promise<void>;
  notifyDeploymentProgress(executionId: string, stage: string, progress: number): Promise<void>;
}

export interface DeploymentStatusMessage {
  readonly ExecutionId: string;
  readonly Status: string;
  readonly UpdatedAt: string;
  readonly Details: PipelineExecutionState;
}

export interface DeploymentProgressMessage {
  readonly ExecutionId: string;
  readonly Stage: string;
  readonly Progress: number;
  readonly Timestamp: string;
}

export function deploymentStatusMessage(executionId: string, state: PipelineExecutionState): DeploymentStatusMessage {
  return { ExecutionId: executionId, Status: state.Status, UpdatedAt: state.LastUpdated, Details: state };
}

/**
 * HotSwap's `SignalRDeploymentNotifier`: a status change goes to the
 * deployment's group and to `all-deployments` (dashboards); progress only to
 * the deployment's group (too frequent for a dashboard). It reports the
 * deployment job's events, which in scaled mode every API node delivers to
 * its own connections: so it sends through `context.local`.
 */
export class SignalRDeploymentNotifier implements DeploymentNotifier {
  constructor(private readonly context: HubContext) {}

  async notifyDeploymentStatusChanged(executionId: string, state: PipelineExecutionState): Promise<void> {
    requireExecutionId(executionId);
    const message = deploymentStatusMessage(executionId, state);
    // One send to both groups: a connection in both (a dashboard that also watches this one) gets it once.
    // Local: every API node delivers this job event to its own connections.
    await this.context.local.clients.groups([deploymentGroups.deployment(executionId), deploymentGroups.all]).send('DeploymentStatusChanged', message);
  }

  async notifyDeploymentProgress(executionId: string, stage: string, progress: number): Promise<void> {
    requireExecutionId(executionId);
    const message: DeploymentProgressMessage = { ExecutionId: executionId, Stage: stage, Progress: progress, Timestamp: new Date().toISOString() };
    // Local: every API node delivers this job event to its own connections.
    await this.context.local.clients.group(deploymentGroups.deployment(executionId)).send('DeploymentProgress', message);
  }
}

function requireExecutionId(executionId: string): void {
  if (!executionId.trim()) throw new TypeError('Execution ID cannot be empty or whitespace.');
}

import type { HubEndpoint, HubServer } from '@tidings/hub';
import type { Job, JobEngine, JobEventKind } from '@tidings/jobs';
import type { JobActivity, Logger } from '@tidings/server';
import { DEPLOYMENT_HUB_PATH, DEPLOYMENT_JOB_TYPE, type DeploymentRequest } from './deployment-constants.js';
import { DeploymentHub } from './deployment-hub.js';
import { type DeploymentNotifier, SignalRDeploymentNotifier } from './deployment-notifier.js';
import { deploymentProgress, executionState } from './deployment-state.js';

export interface DeploymentSurfaceDeps {
  readonly engine: JobEngine;
  readonly logger: Logger;
  /** Wraps the SignalR notifier (logging, metrics — or a failing one in a test). */
  readonly decorateNotifier?: (notifier: DeploymentNotifier) => DeploymentNotifier;
}

/** Events that change a deployment's status (stage and progress events do not). */
const STATUS_CHANGES: ReadonlySet<JobEventKind> = new Set(['created', 'started', 'completed', 'failed', 'cancelled', 'retrying', 'interrupted', 'recovered', 'retried']);

/**
 * HotSwap on the shared engine: a deployment is a job running the 8-stage
 * pipeline; its events go to `/deploymentHub` through the notifier. Each
 * notification is guarded as HotSwap's pipeline guards it, so a failing send
 * is logged and counted and never touches the deployment — the engine runs
 * jobs apart from their notifications anyway.
 */
export class DeploymentSurface {
  readonly metrics = { notificationFailures: 0 };
  private notifier: DeploymentNotifier | undefined;

  constructor(private readonly deps: DeploymentSurfaceDeps) {}

  ownsJobType(type: string): boolean {
    return type === DEPLOYMENT_JOB_TYPE;
  }

  mount(hubs: HubServer): HubEndpoint {
    const endpoint = hubs.mapHub(DEPLOYMENT_HUB_PATH, DeploymentHub, { activator: () => new DeploymentHub(this.deps.engine) });
    const notifier = new SignalRDeploymentNotifier(endpoint.context);
    this.notifier = this.deps.decorateNotifier ? this.deps.decorateNotifier(notifier) : notifier;
    return endpoint;
  }

  /** Starts the (demo) pipeline; `requestedBy` is the caller's user id, if any. */
  start(request: DeploymentRequest, requestedBy: string | undefined): Promise<Job> {
    return this.deps.engine.enqueue({
      type: DEPLOYMENT_JOB_TYPE,
      // Not owned: HotSwap lets any client watch any deployment, and an owner would put it in the YoutubeRag users' groups.
      ownerId: null,
      input: { ...request, module: { ...request.module } },
      metadata: { requestedBy: requestedBy ?? null },
    });
  }

  async get(executionId: string): Promise<Job | undefined> {
    const job = await this.deps.engine.get(executionId);
    return job && this.ownsJobType(job.type) ? job : undefined;
  }

  list(limit: number): Promise<Job[]> {
    return this.deps.engine.list({ type: DEPLOYMENT_JOB_TYPE, limit });
  }

  // ---- the engine's events ------------------------------------------------------

  async publish(activity: JobActivity): Promise<void> {
    const { event } = activity;
    const job = event.job;
    if (event.kind === 'stage' || event.kind === 'completed' || event.kind === 'failed') {
      await this.guarded('progress', job.id, (n) => n.notifyDeploymentProgress(job.id, job.currentStage ?? '', deploymentProgress(job)));
    }
    if (STATUS_CHANGES.has(event.kind)) {
      await this.guarded('status', job.id, (n) => n.notifyDeploymentStatusChanged(job.id, executionState(job)));
    }
  }

  /** HotSwap's try/catch around each notifier call: the pipeline continues despite a failed notification. */
  private async guarded(what: string, executionId: string, notify: (notifier: DeploymentNotifier) => Promise<void>): Promise<void> {
    if (!this.notifier) return;
    try {
      await notify(this.notifier);
    } catch (error) {
      this.metrics.notificationFailures++;
      this.deps.logger.error({ err: error, executionId, what }, 'Failed to notify deployment status; the deployment continues');
    }
  }
}

import { Hub, hubMethod } from '@tidings/hub';
import type { JobStatusDto } from './payloads.js';
import type { YoutubeRagProgressClient } from './youtube-rag-client.js';

/** What the hub asks of its surface; each method gets the hub instance of the invocation. */
export interface ProgressHubOperations {
  connected(hub: ProgressHub): Promise<void>;
  subscribeToJob(hub: ProgressHub, jobId: unknown): Promise<void>;
  unsubscribeFromJob(hub: ProgressHub, jobId: unknown): Promise<void>;
  getActiveJobs(hub: ProgressHub): Promise<JobStatusDto[]>;
  cancelJob(hub: ProgressHub, jobId: unknown): Promise<void>;
}

/**
 * YoutubeRag's `JobProgressHub` at `/hubs/progress` ([Authorize]; the user is
 * the one the service's claim rule names). Wire names are YoutubeRag's camelCase
 * `[HubMethodName]`s; like every tidings hub they match case-insensitively.
 */
export class ProgressHub extends Hub<YoutubeRagProgressClient> {
  constructor(private readonly operations: ProgressHubOperations) {
    super();
  }

  override async onConnected(): Promise<void> {
    await this.operations.connected(this);
  }

  @hubMethod('subscribeToJob')
  subscribeToJob(jobId: unknown): Promise<void> {
    return this.operations.subscribeToJob(this, jobId);
  }

  @hubMethod('unsubscribeFromJob')
  unsubscribeFromJob(jobId: unknown): Promise<void> {
    return this.operations.unsubscribeFromJob(this, jobId);
  }

  @hubMethod('getActiveJobs')
  getActiveJobs(): Promise<JobStatusDto[]> {
    return this.operations.getActiveJobs(this);
  }

  @hubMethod('cancelJob')
  cancelJob(jobId: unknown): Promise<void> {
    return this.operations.cancelJob(this, jobId);
  }
}

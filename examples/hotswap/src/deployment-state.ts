import type { Job, JobStatus, StageStatus } from '@tidings/jobs';
import { jsonField, jsonObject, jsonString } from '@tidings/server';

/** HotSwap's deployment statuses. */
export type DeploymentStatus = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled';

const STATUS: Record<JobStatus, DeploymentStatus> = { Pending: 'Pending', Running: 'Running', Completed: 'Succeeded', Failed: 'Failed', Cancelled: 'Cancelled' };
const STAGE_STATUS: Record<StageStatus, DeploymentStatus> = { Pending: 'Pending', Running: 'Running', Completed: 'Succeeded', Failed: 'Failed', Cancelled: 'Cancelled' };

/** HotSwap's `PipelineExecutionState`, PascalCase as HotSwap's payloads show it. */
export interface PipelineExecutionState {
  readonly ExecutionId: string;
  readonly Request: {
    readonly Module: { readonly Name: string | null; readonly Version: string | null };
    readonly TargetEnvironment: string | null;
    readonly RequesterEmail: string | null;
  };
  readonly Status: DeploymentStatus;
  readonly CurrentStage: string | null;
  readonly Stages: readonly {
    readonly StageName: string;
    readonly Status: DeploymentStatus;
    readonly StartTime: string | null;
    readonly EndTime: string | null;
    readonly Message: string | null;
  }[];
  readonly StartTime: string | null;
  readonly LastUpdated: string;
  readonly ErrorMessage: string | null;
}

export function deploymentStatus(job: Job): DeploymentStatus {
  return STATUS[job.status];
}

/** The stages that have started, with their outcome. */
export function executionState(job: Job): PipelineExecutionState {
  const module = jsonObject(jsonField(job.input, 'module'));
  return {
    ExecutionId: job.id,
    Request: {
      Module: { Name: jsonString(module, 'name'), Version: jsonString(module, 'version') },
      TargetEnvironment: jsonString(job.input, 'targetEnvironment'),
      RequesterEmail: jsonString(job.input, 'requesterEmail'),
    },
    Status: deploymentStatus(job),
    CurrentStage: job.currentStage,
    Stages: job.stages
      .filter((s) => s.startedAt !== null)
      .map((s) => ({ StageName: s.name, Status: STAGE_STATUS[s.status], StartTime: s.startedAt, EndTime: s.completedAt, Message: s.errorMessage })),
    StartTime: job.startedAt,
    LastUpdated: job.updatedAt,
    ErrorMessage: job.error,
  };
}

const ESTIMATED_TOTAL_STAGES = 8;

/** HotSwap's CalculateProgress: 100 when finished, else completed (or failed) stages × 100 / 8. */
export function deploymentProgress(job: Job): number {
  const status = deploymentStatus(job);
  if (status === 'Succeeded' || status === 'Failed') return 100;
  const completed = job.stages.filter((s) => s.status === 'Completed' || s.status === 'Failed').length;
  return Math.min(100, Math.floor((completed * 100) / ESTIMATED_TOTAL_STAGES));
}

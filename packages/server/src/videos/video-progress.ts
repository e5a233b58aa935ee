import type { Job, JobStage } from '@tidings/jobs';

export type ProcessingStatus = 'Pending' | 'Processing' | 'Completed' | 'Failed' | 'Cancelled';
export type StepStatus = 'NotStarted' | 'Pending' | 'InProgress' | 'Completed' | 'Failed' | 'Cancelled';
export type EmbeddingStatus = StepStatus | 'Partial';

export interface VideoStage {
  readonly name: string;
  readonly status: JobStage['status'];
  readonly progress: number;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly errorMessage: string | null;
}

/** Seed 001 §4's VideoProgressUpdate, plus the pipeline job and its `sequence`. */
export interface VideoProgress {
  readonly videoId: string;
  readonly jobId: string;
  readonly processingStatus: ProcessingStatus;
  readonly transcriptionStatus: StepStatus;
  readonly embeddingStatus: EmbeddingStatus;
  readonly overallProgress: number;
  readonly stages: readonly VideoStage[];
  readonly updatedAt: string;
  /** The pipeline job's sequence: VideoProgressUpdates of a video are ordered by it. */
  readonly sequence: number;
}

const PROCESSING: Record<Job['status'], ProcessingStatus> = {
  Pending: 'Pending',
  Running: 'Processing',
  Completed: 'Completed',
  Failed: 'Failed',
  Cancelled: 'Cancelled',
};

/** The video's state from its pipeline job and the pipeline's steps (in order). */
export function videoProgress(pipeline: Job, steps: readonly Job[]): VideoProgress {
  const stepOfType = (type: string) => {
    const index = steps.findIndex((s) => s.type === type);
    return { step: steps[index], before: index > 0 ? steps[index - 1] : undefined };
  };
  const transcription = stepOfType('Transcription');
  const embedding = stepOfType('EmbeddingGeneration');
  const embeddingStatus = stepStatus(embedding.step, embedding.before);
  return {
    videoId: pipeline.subject ?? '',
    jobId: pipeline.id,
    processingStatus: PROCESSING[pipeline.status],
    transcriptionStatus: stepStatus(transcription.step, transcription.before),
    embeddingStatus:
      (embeddingStatus === 'Failed' || embeddingStatus === 'Cancelled') && (embedding.step?.progress ?? 0) > 10 ? 'Partial' : embeddingStatus,
    overallProgress: pipeline.progress,
    stages: pipeline.stages.map((s) => ({ ...s })),
    updatedAt: pipeline.updatedAt,
    sequence: pipeline.lastSequence,
  };
}

/** NotStarted until the step before it is done; Pending while queued; then as the job goes. */
function stepStatus(step: Job | undefined, before: Job | undefined): StepStatus {
  if (!step) return 'NotStarted';
  switch (step.status) {
    case 'Pending':
      return step.attempt > 0 || !before || before.status === 'Completed' ? 'Pending' : 'NotStarted';
    case 'Running':
      return 'InProgress';
    default:
      return step.status;
  }
}

import type { EmbeddingStatus, ProcessingStatus, StageProgress, StepStatus, VideoProgressUpdate } from '@tidings/contract';
import type { Job } from '@tidings/jobs';

const PROCESSING: Record<Job['status'], ProcessingStatus> = {
  Pending: 'Pending',
  Running: 'Processing',
  Completed: 'Completed',
  Failed: 'Failed',
  Cancelled: 'Cancelled',
};

/** The video's state from its pipeline job and the pipeline's steps (in order). */
export function videoProgress(pipeline: Job, steps: readonly Job[]): VideoProgressUpdate {
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

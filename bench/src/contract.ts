/** Seed 001's hub path: where SignalR clients connect. */
export const HUB_PATH = '/hubs/job-progress';

/** Seed 001 §4: the JobProgressUpdate event every system sends. */
export interface JobProgressUpdate {
  jobId: string;
  videoId: string;
  jobType: 'Transcription' | 'EmbeddingGeneration' | 'VideoProcessing';
  status: 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Cancelled';
  progress: number;
  currentStage: string;
  statusMessage: string;
  errorMessage: string | null;
  updatedAt: string;
  metadata: { seq: number; sentAtUs?: number };
}

export const EVENT_NAME = 'JobProgressUpdate';

/** The JSON key the latency clients look for; its value is the send time in monotonic microseconds. */
export const SENT_AT_KEY = 'sentAtUs';

/** The job every bench client subscribes to. */
export const BENCH_JOB_ID = 'bench';

/** Seed 001's group naming: subscribers of a job share the group `job-{jobId}`. */
export function jobGroup(jobId: string): string {
  return `job-${jobId}`;
}

const UPDATED_AT = '2025-10-04T12:00:00.000Z';

/**
 * The `seq`-th update of a job (about 250 bytes of JSON). `sentAtUs` stamps
 * the send call for the latency scenario.
 */
export function progressUpdate(seq: number, sentAtUs?: number): JobProgressUpdate {
  return {
    jobId: 'job-7f3c2a9e41d6',
    videoId: 'video-dQw4w9WgXcQ',
    jobType: 'Transcription',
    status: 'Running',
    progress: seq % 101,
    currentStage: 'Transcribing',
    statusMessage: `Segment ${seq} of 2000`,
    errorMessage: null,
    updatedAt: UPDATED_AT,
    metadata: sentAtUs === undefined ? { seq } : { seq, sentAtUs },
  };
}

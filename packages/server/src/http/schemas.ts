import { JOB_STATUSES } from '@tidings/jobs';
import { ID_SCHEMA } from '../ids.js';

/** JSON schemas of the REST API: request validation, response shapes, and the OpenAPI document. */

const nullableString = { type: ['string', 'null'] } as const;
const timestamp = { type: ['string', 'null'], format: 'date-time' } as const;
const freeObject = { type: 'object', additionalProperties: true } as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

export const stageSchema = {
  $id: 'Stage',
  type: 'object',
  properties: {
    name: { type: 'string' },
    status: { type: 'string', enum: ['Pending', 'Running', 'Completed', 'Failed', 'Cancelled'] },
    progress: { type: 'number' },
    startedAt: timestamp,
    completedAt: timestamp,
    errorMessage: nullableString,
  },
} as const;

export const jobSchema = {
  $id: 'Job',
  type: 'object',
  properties: {
    jobId: { type: 'string' },
    jobType: { type: 'string' },
    userId: nullableString,
    videoId: nullableString,
    parentJobId: nullableString,
    priority: { type: 'integer' },
    status: { type: 'string', enum: [...JOB_STATUSES] },
    progress: { type: 'number' },
    currentStage: nullableString,
    statusMessage: nullableString,
    errorMessage: nullableString,
    stages: { type: 'array', items: { $ref: 'Stage#' } },
    steps: {
      type: ['array', 'null'],
      items: { type: 'object', properties: { name: { type: 'string' }, jobId: { type: 'string' }, weight: { type: 'number' } } },
    },
    retryCount: { type: 'integer' },
    maxRetries: { type: 'integer' },
    canRetry: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: timestamp,
    finishedAt: timestamp,
    updatedAt: { type: 'string', format: 'date-time' },
    estimatedCompletion: timestamp,
    tags: { type: 'array', items: { type: 'string' } },
    outputStats: {
      type: 'object',
      properties: { items: { type: 'integer' }, bytes: { type: 'integer' }, truncated: { type: 'boolean' }, dropped: { type: 'integer' } },
    },
    metadata: freeObject,
    result: {},
    sequence: { type: 'integer', description: 'The sequence of the last event: GET …/events?after=sequence gives what follows.' },
  },
} as const;

export const videoProgressSchema = {
  $id: 'VideoProgress',
  type: 'object',
  properties: {
    videoId: { type: 'string' },
    jobId: { type: 'string' },
    processingStatus: { type: 'string', enum: ['Pending', 'Processing', 'Completed', 'Failed', 'Cancelled'] },
    transcriptionStatus: { type: 'string', enum: ['NotStarted', 'Pending', 'InProgress', 'Completed', 'Failed', 'Cancelled'] },
    embeddingStatus: { type: 'string', enum: ['NotStarted', 'Pending', 'InProgress', 'Completed', 'Partial', 'Failed', 'Cancelled'] },
    overallProgress: { type: 'number' },
    stages: { type: 'array', items: { $ref: 'Stage#' } },
    updatedAt: { type: 'string', format: 'date-time' },
    sequence: { type: 'integer' },
  },
} as const;

export const jobEventSchema = {
  $id: 'JobEvent',
  type: 'object',
  properties: {
    sequence: { type: 'integer' },
    kind: {
      type: 'string',
      enum: ['created', 'started', 'stage', 'progress', 'retrying', 'interrupted', 'recovered', 'retried', 'completed', 'failed', 'cancelled', 'output', 'outputTruncated'],
    },
    at: { type: 'string', format: 'date-time' },
    output: {
      type: 'object',
      description: "On output events: the item the job wrote; on the outputTruncated event, where the job's output was cut.",
      properties: { stream: { type: 'string' }, data: {} },
    },
    job: { $ref: 'Job#' },
  },
} as const;

export const jobSubmissionSchema = {
  $id: 'JobSubmission',
  type: 'object',
  properties: {
    job: { $ref: 'Job#' },
    follow: {
      type: 'object',
      description: 'How to follow the job: connect to `hub` (with `token` as access_token, when asked for) and invoke `method` with `args`.',
      properties: {
        hub: { type: 'string' },
        method: { type: 'string' },
        args: { type: 'array', items: { type: 'string' } },
        token: { type: 'string' },
        expiresAt: { type: 'string', format: 'date-time' },
      },
    },
  },
} as const;

export const SHARED_SCHEMAS = [errorSchema, stageSchema, jobSchema, videoProgressSchema, jobEventSchema, jobSubmissionSchema];

export const errorResponses = {
  400: { description: 'Invalid request', $ref: 'Error#' },
  401: { description: 'Missing or invalid bearer token', $ref: 'Error#' },
  404: { description: 'Not found (or not yours)', $ref: 'Error#' },
} as const;

/** `:id`, a job or video id. */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: ID_SCHEMA },
} as const;

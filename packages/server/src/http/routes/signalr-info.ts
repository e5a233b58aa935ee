import type { FastifyInstance } from 'fastify';
import { JOB_PROGRESS_HUB_PATH } from '@tidings/contract';

/** How to connect to `/hubs/job-progress`, as the video pipeline's client guide shows it; `userId` is the caller's (null when anonymous). */
export async function signalrInfoRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/signalr/connection-info',
    {
      schema: {
        tags: ['signalr'],
        summary: 'How to connect to the job-progress hub',
        response: {
          200: {
            type: 'object',
            properties: {
              hubUrl: { type: 'string' },
              userId: { type: ['string', 'null'] },
              instructions: { type: 'object', additionalProperties: { type: 'string' } },
              events: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    async (request) => ({
      hubUrl: JOB_PROGRESS_HUB_PATH,
      userId: request.identity.userId ?? null,
      instructions: {
        connect: 'Use SignalR client library to connect to the hub',
        authentication: 'Pass JWT token in accessTokenFactory option',
        subscribeToJob: "Call hub.invoke('SubscribeToJob', jobId) to receive job updates",
        subscribeToVideo: "Call hub.invoke('SubscribeToVideo', videoId) to receive video updates",
        unsubscribeFromJob: "Call hub.invoke('UnsubscribeFromJob', jobId) to stop receiving job updates",
        getJobProgress: "Call hub.invoke('GetJobProgress', jobId) to get current job status",
        getVideoProgress: "Call hub.invoke('GetVideoProgress', videoId) to get current video status",
      },
      events: [
        'JobProgressUpdate - Fired when job progress updates',
        'JobCompleted - Fired when job completes successfully',
        'JobFailed - Fired when job fails',
        'VideoProgressUpdate - Fired when video progress updates',
        'UserNotification - Fired for user-specific notifications',
        'BroadcastNotification - Fired for system-wide notifications',
        'Error - Fired when an error occurs',
      ],
    }),
  );
}

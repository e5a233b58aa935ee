import { definePlugin } from '@tidings/server';
import { deploymentJobType } from './demo/deployment-pipeline.js';
import type { DeploymentNotifier } from './deployment-notifier.js';
import { deploymentRoutes } from './deployment-routes.js';
import { DeploymentSurface } from './deployment-surface.js';

export interface HotSwapPluginOptions {
  /** How much faster than real time the DEMO deployment pipeline runs. Default 1. */
  readonly demoSpeed?: number;
  /** Wraps the SignalR notifier (logging, metrics — or a failing one in a test). */
  readonly decorateNotifier?: (notifier: DeploymentNotifier) => DeploymentNotifier;
}

/**
 * HotSwap on tidings: `/deploymentHub` (DeploymentStatusChanged, DeploymentProgress),
 * `POST /api/deployments` and the DEMO 8-stage deployment pipeline as a job type.
 */
export function hotswapPlugin(options: HotSwapPluginOptions = {}) {
  return definePlugin({
    name: 'hotswap',
    jobTypes: [deploymentJobType(options.demoSpeed ?? 1)],
    register(ctx) {
      const deployments = new DeploymentSurface({ engine: ctx.engine, logger: ctx.logger, decorateNotifier: options.decorateNotifier });
      deployments.mount(ctx.hubs);
      ctx.onJobEvent((activity) => deployments.publish(activity));
      ctx.routes('/api', (app) => deploymentRoutes(app, { deployments, auth: ctx.auth, corsOrigins: ctx.config.corsOrigins }));
      ctx.metrics(() => deployments.metrics);
    },
  });
}

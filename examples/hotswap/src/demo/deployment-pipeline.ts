import { type JobType, PermanentJobError, defineJobType } from '@tidings/jobs';
import { SimulatedWork } from '@tidings/server';
import { DEPLOYMENT_JOB_TYPE, DEPLOYMENT_STAGES, DeploymentRequestSchema, type DeploymentRequest } from '../deployment-constants.js';

const STAGE_MESSAGES: Record<(typeof DEPLOYMENT_STAGES)[number], string> = {
  Validation: 'Validating the deployment request',
  Build: 'Building the module',
  Test: 'Running the test suite',
  SecurityScan: 'Scanning for vulnerabilities',
  Staging: 'Deploying to the staging slot',
  Deployment: 'Swapping the module in',
  Verification: 'Verifying health checks',
  Finalization: 'Recording the deployment',
};

/**
 * DEMO: HotSwap's 8-stage pipeline on timers (about 4 s at DEMO_SPEED 1). A
 * request with `simulateFailureAt: "<stage>"` fails at that stage, to show a
 * Failed deployment.
 */
export function deploymentJobType(speed: number): JobType<DeploymentRequest> {
  const work = new SimulatedWork(speed);
  return defineJobType({
    name: DEPLOYMENT_JOB_TYPE,
    input: DeploymentRequestSchema,
    // Not resumable: a deployment cut off by a crash is reported Failed (retryable), never silently run again from the top.
    maxRetries: 0,
    resumable: false,
    stages: [...DEPLOYMENT_STAGES],
    async process(job, ctx) {
      const failAt = job.input.simulateFailureAt;
      for (const [i, stage] of DEPLOYMENT_STAGES.entries()) {
        await ctx.stage(stage, (i * 100) / DEPLOYMENT_STAGES.length, STAGE_MESSAGES[stage]);
        await work.wait(500, ctx.signal);
        if (stage === failAt) throw new PermanentJobError(`${stage} failed (simulated).`);
      }
      return { message: 'Deployment succeeded' };
    },
  });
}

import { type JobProcessor, PermanentJobError } from '@tidings/jobs';
import type { ProcessorSet } from '../../../demo/simulated-processors.js';
import { SimulatedWork } from '../../../demo/simulated-work.js';
import { jsonString } from '../../shared/json-fields.js';
import { DEPLOYMENT_JOB_TYPE, DEPLOYMENT_STAGES } from '../deployment-constants.js';

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
function simulatedDeployment(work: SimulatedWork): JobProcessor {
  return async (job, ctx) => {
    const failAt = jsonString(job.input, 'simulateFailureAt');
    for (const [i, stage] of DEPLOYMENT_STAGES.entries()) {
      await ctx.stage(stage, (i * 100) / DEPLOYMENT_STAGES.length, STAGE_MESSAGES[stage]);
      await work.wait(500, ctx.signal);
      if (stage === failAt) throw new PermanentJobError(`${stage} failed (simulated).`);
    }
    return { message: 'Deployment succeeded' };
  };
}

export function deploymentDemoProcessors(speed: number): ProcessorSet {
  // Not resumable: a deployment cut off by a crash is reported Failed (retryable), never silently run again from the top.
  return {
    [DEPLOYMENT_JOB_TYPE]: { processor: simulatedDeployment(new SimulatedWork(speed)), options: { maxRetries: 0, resumable: false, stages: [...DEPLOYMENT_STAGES] } },
  };
}

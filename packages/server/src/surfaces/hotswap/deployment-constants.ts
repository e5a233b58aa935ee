/** Seed 004's hub path. */
export const DEPLOYMENT_HUB_PATH = '/deploymentHub';

export const deploymentGroups = {
  deployment: (executionId: string) => `deployment-${executionId}`,
  all: 'all-deployments',
} as const;

/** The job type of a deployment on the shared engine. */
export const DEPLOYMENT_JOB_TYPE = 'HotSwapDeployment';

/** The demo pipeline's stages, in order (seed 004 estimates 8). */
export const DEPLOYMENT_STAGES = ['Validation', 'Build', 'Test', 'SecurityScan', 'Staging', 'Deployment', 'Verification', 'Finalization'] as const;

export const TARGET_ENVIRONMENTS = ['Development', 'QA', 'Staging', 'Production'] as const;

import { type Static, Type } from '@sinclair/typebox';

/** HotSwap's hub path. */
export const DEPLOYMENT_HUB_PATH = '/deploymentHub';

export const deploymentGroups = {
  deployment: (executionId: string) => `deployment-${executionId}`,
  all: 'all-deployments',
} as const;

/** The job type of a deployment on the shared engine. */
export const DEPLOYMENT_JOB_TYPE = 'HotSwapDeployment';

/** The demo pipeline's stages, in order (HotSwap estimates 8). */
export const DEPLOYMENT_STAGES = ['Validation', 'Build', 'Test', 'SecurityScan', 'Staging', 'Deployment', 'Verification', 'Finalization'] as const;

export const TARGET_ENVIRONMENTS = ['Development', 'QA', 'Staging', 'Production'] as const;

/** A string enum (an `enum` in the JSON Schema, so a refusal names the allowed values). */
function oneOf<T extends string>(values: readonly T[]) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values] });
}

/** What starts a deployment (HotSwap's DeploymentRequest): the REST body and the job's input. */
export const DeploymentRequestSchema = Type.Object(
  {
    module: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 200 }),
        version: Type.String({ minLength: 1, maxLength: 50 }),
        description: Type.Optional(Type.String({ maxLength: 1000 })),
      },
      { additionalProperties: false },
    ),
    targetEnvironment: oneOf(TARGET_ENVIRONMENTS),
    requesterEmail: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
    /** DEMO: fail at this stage. */
    simulateFailureAt: Type.Optional(oneOf(DEPLOYMENT_STAGES)),
  },
  { additionalProperties: false },
);

export type DeploymentRequest = Static<typeof DeploymentRequestSchema>;

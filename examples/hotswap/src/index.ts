export { hotswapPlugin, type HotSwapPluginOptions } from './hotswap-plugin.js';
export { deploymentJobType } from './demo/deployment-pipeline.js';
export {
  DEPLOYMENT_HUB_PATH,
  DEPLOYMENT_JOB_TYPE,
  DEPLOYMENT_STAGES,
  TARGET_ENVIRONMENTS,
  DeploymentRequestSchema,
  type DeploymentRequest,
  deploymentGroups,
} from './deployment-constants.js';
export type { DeploymentNotifier, DeploymentProgressMessage, DeploymentStatusMessage } from './deployment-notifier.js';
export type { PipelineExecutionState, DeploymentStatus } from './deployment-state.js';

import type { TidingsPluginModule } from '@tidings/server';
import { hotswapPlugin } from './hotswap-plugin.js';

/** For `TIDINGS_PLUGINS=@tidings/example-hotswap`: the plugin at the service's DEMO_SPEED. */
const plugins: TidingsPluginModule = (config) => hotswapPlugin({ demoSpeed: config.demoSpeed });
export default plugins;

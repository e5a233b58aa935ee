import type { HubLifetimeManager } from '../lifetime/lifetime-manager.js';
import type { HubMeter } from '../metrics/hub-meter.js';
import type { ResolvedHubOptions } from '../server/hub-options.js';
import type { HubDispatcher } from './hub-dispatcher.js';

/** Everything one mapped hub shares among its connections. */
export interface HubRuntime {
  readonly path: string;
  /** The hub's name in spans (`rpc.service`): its class name, or its path for an object hub. */
  readonly name: string;
  readonly options: ResolvedHubOptions;
  readonly lifetimeManager: HubLifetimeManager;
  readonly dispatcher: HubDispatcher;
  /** Its Prometheus series, when the `metrics` option is set. */
  readonly meter: HubMeter | undefined;
}

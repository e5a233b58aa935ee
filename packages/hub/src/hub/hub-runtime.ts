import type { HubLifetimeManager } from '../lifetime/lifetime-manager.js';
import type { ResolvedHubOptions } from '../server/hub-options.js';
import type { HubDispatcher } from './hub-dispatcher.js';

/** Everything one mapped hub shares among its connections. */
export interface HubRuntime {
  readonly path: string;
  readonly options: ResolvedHubOptions;
  readonly lifetimeManager: HubLifetimeManager;
  readonly dispatcher: HubDispatcher;
}

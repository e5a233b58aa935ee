import {
  type ClientMethods,
  DefaultGroupManager,
  DefaultHubClients,
  type GroupManager,
  type HubClients,
  type UntypedClient,
} from './clients.js';
import type { HubLifetimeManager } from '../lifetime/lifetime-manager.js';

/**
 * Sends to a hub's clients from outside the hub (services, job processors),
 * like ASP.NET Core's `IHubContext<THub, TClient>`.
 */
export interface HubContext<TClient extends ClientMethods = UntypedClient> {
  readonly clients: HubClients<TClient>;
  readonly groups: GroupManager;
}

export function createHubContext<TClient extends ClientMethods = UntypedClient>(
  lifetimeManager: HubLifetimeManager,
): HubContext<TClient> {
  return { clients: new DefaultHubClients<TClient>(lifetimeManager), groups: new DefaultGroupManager(lifetimeManager) };
}

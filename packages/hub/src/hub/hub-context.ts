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
  /**
   * Sends that reach only this node's connections, like Socket.IO's `io.local`. With
   * one node (the memory lifetime manager) it sends exactly as `clients` does; on a
   * backplane it skips the other nodes. For events every node delivers to its own
   * connections (job events read from a shared feed), so each connection gets one copy.
   */
  readonly local: Omit<HubContext<TClient>, 'local'>;
}

export function createHubContext<TClient extends ClientMethods = UntypedClient>(
  lifetimeManager: HubLifetimeManager,
): HubContext<TClient> {
  const clients = new DefaultHubClients<TClient>(lifetimeManager);
  const groups = new DefaultGroupManager(lifetimeManager);
  const local = lifetimeManager.local;
  return {
    clients,
    groups,
    local: local && local !== lifetimeManager ? { clients: new DefaultHubClients<TClient>(local), groups: new DefaultGroupManager(local) } : { clients, groups },
  };
}

import type { Hub, HubClients, HubUser, RequestInfo } from '@tidings/hub';

/**
 * One of the systems sharing a hub path, each for its own kind of credential:
 * YoutubeRag's users (a JWT) and Conduit's virtual keys both connect to
 * `/hubs/notifications`. Each connection belongs to the system whose credential it presented.
 */
export interface HubTenant<H extends Hub = Hub> {
  readonly name: string;
  /** The user for `token`; null for a credential of this system that is not valid; undefined when the token is not this system's kind. */
  authenticate(request: RequestInfo, token: string | undefined): Promise<HubUser | null | undefined> | HubUser | null | undefined;
  /** Joins the connection to this system's groups. */
  connected(hub: H): Promise<void>;
}

/**
 * What the plugin that maps a shared hub provides (under the hub's path, see
 * `PluginContext.provide`) so that plugins registered after it add their tenant.
 */
export interface SharedHub {
  addTenant(tenant: HubTenant): void;
  /** The shared hub's clients, to send to a tenant's groups across every node. */
  readonly clients: HubClients;
  /**
   * The shared hub's clients on this node only (its context's `local.clients`):
   * for sends reacting to a job event, which every API node delivers to its own connections.
   */
  readonly local: HubClients;
}

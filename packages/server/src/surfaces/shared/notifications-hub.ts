import type { HubEndpoint, HubOptions, HubServer, HubUser, RequestInfo } from '@tidings/hub';
import { AcknowledgingHub, type ReliableHubRuntime } from '../../reliability/acknowledging-hub.js';

/**
 * One of the systems sharing `/hubs/notifications`: seed 000's YoutubeRag
 * (`NotificationHub`, JWT) and seed 002's Conduit (`SystemNotificationHub`,
 * virtual key) both map a hub there. Each connection belongs to the system
 * whose credential it presented.
 */
export interface NotificationsTenant {
  readonly name: string;
  /** The user for `token`; null for a credential of this system that is not valid; undefined when the token is not this system's kind. */
  authenticate(request: RequestInfo, token: string | undefined): Promise<HubUser | null | undefined> | HubUser | null | undefined;
  /** Joins the connection to this system's groups. */
  connected(hub: AcknowledgingHub): Promise<void>;
}

/** The shared hub: acknowledgements and Ping (seed 003) for everyone; groups by tenant. */
export class NotificationsHub extends AcknowledgingHub {}

/** Maps the shared hub at `path`; tenants are asked in order which one a token belongs to. */
export function mountNotificationsHub(
  hubs: HubServer,
  path: string,
  runtime: Omit<ReliableHubRuntime, 'path' | 'connected'>,
  tenants: readonly NotificationsTenant[],
  options: HubOptions,
): HubEndpoint {
  // By object, not by a claim: a token's claims could imitate another system's.
  const tenantOf = new WeakMap<HubUser, NotificationsTenant>();
  const shared: ReliableHubRuntime = {
    ...runtime,
    path,
    connected: async (hub) => {
      const user = hub.context.user;
      if (user) await tenantOf.get(user)?.connected(hub);
    },
  };
  return hubs.mapHub(path, NotificationsHub, {
    ...options,
    requireAuthentication: true,
    authenticate: async (request, token) => {
      for (const tenant of tenants) {
        const user = await tenant.authenticate(request, token);
        if (user === undefined) continue;
        if (user) tenantOf.set(user, tenant);
        return user;
      }
      return null;
    },
    activator: () => new NotificationsHub(shared),
  });
}

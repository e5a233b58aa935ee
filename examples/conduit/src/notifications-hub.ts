import type { HubEndpoint, HubOptions, HubServer, HubUser } from '@tidings/hub';
import { AcknowledgingHub, type ReliableHubRuntime } from './reliability/acknowledging-hub.js';
import { type HubTenant } from '@tidings/server';

/**
 * A system on `/hubs/notifications`: Conduit's `SystemNotificationHub` (virtual
 * keys) and YoutubeRag's `NotificationHub` (a JWT) are mapped there together.
 */
export type NotificationsTenant = HubTenant<AcknowledgingHub>;

/** The shared hub: Conduit's acknowledgements and Ping for everyone; groups by tenant. */
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

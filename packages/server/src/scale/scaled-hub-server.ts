import { type ClientMethods, type HubClass, type HubEndpoint, type HubLifetimeManager, type HubObject, type HubOptions, HubServer, type UntypedClient } from '@tidings/hub';

/**
 * A HubServer whose every hub gets a lifetime manager made for it (the Redis
 * backplane, in scaled mode) unless its options bring their own. Surfaces map
 * their hubs as they always do.
 */
export class ScaledHubServer extends HubServer {
  constructor(
    defaults: HubOptions,
    private readonly managerFor: (path: string) => HubLifetimeManager,
  ) {
    super(defaults);
  }

  override mapHub<TClient extends ClientMethods = UntypedClient>(path: string, hub: HubClass | HubObject, options: HubOptions = {}): HubEndpoint<TClient> {
    if (options.lifetimeManager) return super.mapHub<TClient>(path, hub, options);
    const lifetimeManager = this.managerFor(path);
    try {
      return super.mapHub<TClient>(path, hub, { ...options, lifetimeManager });
    } catch (error) {
      void lifetimeManager.dispose?.();
      throw error;
    }
  }
}

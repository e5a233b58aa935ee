import type { HubTarget } from './reliability/reliable-messenger.js';

/** The Conduit hubs to send through, once mapped. */
export interface ConduitHubTargets {
  readonly video: HubTarget;
  readonly image: HubTarget;
  readonly tasks: HubTarget;
  readonly notifications: HubTarget;
  readonly spend: HubTarget;
  readonly webhooks: HubTarget;
  readonly admin: HubTarget;
  readonly navigation: HubTarget;
}

import type { HubTarget } from './reliability/reliable-messenger.js';

/**
 * A Conduit hub: sending to it reaches every node's connections; its `local`
 * reaches only this node's. Every send reacting to a job event goes through
 * `local` — in scaled mode every API node delivers each job event to its own
 * connections, so a cluster-wide send would arrive once per node.
 */
export interface ConduitHubTarget extends HubTarget {
  readonly reach: 'cluster';
  readonly local: HubTarget & { readonly reach: 'node' };
}

/** The Conduit hubs to send through, once mapped. */
export interface ConduitHubTargets {
  readonly video: ConduitHubTarget;
  readonly image: ConduitHubTarget;
  readonly tasks: ConduitHubTarget;
  readonly notifications: ConduitHubTarget;
  readonly spend: ConduitHubTarget;
  readonly webhooks: ConduitHubTarget;
  readonly admin: ConduitHubTarget;
  readonly navigation: ConduitHubTarget;
}

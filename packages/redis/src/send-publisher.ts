import type { HubMessage } from '@tidings/hub';
import { Kind, type SendKind, encodeSend } from './codec.js';
import type { ClusterRouter } from './cluster-router.js';
import type { KeySpace } from './key-space.js';

/** The send to a list of the targets of a single-target kind. */
const LIST_OF = {
  [Kind.Group]: Kind.Groups,
  [Kind.User]: Kind.Users,
  [Kind.Connection]: Kind.Connections,
} as const;

/**
 * Publishes each send once. Single targets go to their own channel (only nodes
 * with a member listen); lists go to the `all` channel with the list, and each
 * node picks its own recipients, so a connection in several listed groups
 * still receives the message once.
 */
export class SendPublisher {
  constructor(
    private readonly router: ClusterRouter,
    private readonly keys: KeySpace,
    private readonly origin: string,
  ) {}

  /**
   * Encodes synchronously (a payload that cannot be encoded throws here, before
   * anything is delivered anywhere) and returns the pending publish.
   */
  publish(kind: SendKind, targets: string | readonly string[] | null, excluded: readonly string[] | null, message: HubMessage): Promise<void> {
    const payload = encodeSend(kind, this.origin, targets, excluded, message);
    return this.router.publish(this.channel(kind, targets), payload).then(() => undefined);
  }

  /** A send to each of several groups, users or connections: nothing for none, the target's own channel for one, the list on `all` for more. */
  publishEach(kind: keyof typeof LIST_OF, targets: readonly string[], message: HubMessage): Promise<void> {
    if (targets.length === 0) return Promise.resolve();
    if (targets.length === 1) return this.publish(kind, targets[0]!, null, message);
    return this.publish(LIST_OF[kind], targets, null, message);
  }

  private channel(kind: SendKind, targets: string | readonly string[] | null): string {
    switch (kind) {
      case Kind.Group:
        return this.keys.groupChannel(targets as string);
      case Kind.User:
        return this.keys.userChannel(targets as string);
      case Kind.Connection:
        return this.keys.connectionChannel(targets as string);
      default:
        return this.keys.allChannel;
    }
  }
}

import type { HubProtocol } from './hub-protocol.js';
import type { HubMessage } from './messages.js';

/**
 * A message on its way to many connections. It is encoded at most once per
 * protocol, however many recipients share that protocol: fan-out copies
 * references to the same bytes, never re-serializes.
 */
export class SerializedMessage {
  private protocol0: HubProtocol | undefined;
  private bytes0: Buffer | undefined;
  private protocol1: HubProtocol | undefined;
  private bytes1: Buffer | undefined;
  private failures: Map<HubProtocol, unknown> | undefined;

  constructor(readonly message: HubMessage) {}

  /**
   * The message encoded for `protocol`. Throws if that protocol cannot encode it
   * (a cycle, a value too deep); the failure is remembered, so the other
   * recipients on that protocol fail at once instead of each encoding again.
   */
  bytesFor(protocol: HubProtocol): Buffer {
    if (this.protocol0 === protocol) return this.bytes0!;
    if (this.protocol1 === protocol) return this.bytes1!;
    if (this.failures?.has(protocol)) throw this.failures.get(protocol);
    let bytes: Buffer;
    try {
      bytes = protocol.writeMessage(this.message);
    } catch (error) {
      if (!this.failures) this.failures = new Map();
      this.failures.set(protocol, error);
      throw error;
    }
    if (this.protocol0 === undefined) {
      this.protocol0 = protocol;
      this.bytes0 = bytes;
    } else {
      this.protocol1 = protocol;
      this.bytes1 = bytes;
    }
    return bytes;
  }
}

import type { AcknowledgementLedger, Delivery } from './acknowledgement-ledger.js';

interface Recipient {
  readonly userIdentifier: string | null;
  settled: boolean;
}

/** The acknowledgement ledger of one node: in memory, a message forgotten once every delivery of it is settled. */
export class MemoryAcknowledgementLedger implements AcknowledgementLedger {
  private readonly messages = new Map<string, Map<string, Recipient>>();

  open(delivery: Delivery): void {
    let recipients = this.messages.get(delivery.messageId);
    if (!recipients) this.messages.set(delivery.messageId, (recipients = new Map()));
    recipients.set(delivery.connectionId, { userIdentifier: delivery.userIdentifier, settled: false });
  }

  acknowledge(messageId: string, connectionId: string, userIdentifier: string | null): readonly string[] {
    const recipients = this.messages.get(messageId);
    if (!recipients) return [];
    const own = recipients.get(connectionId);
    const settled: string[] = [];
    if (own) {
      if (!own.settled) settled.push(connectionId);
    } else if (userIdentifier !== null) {
      for (const [id, recipient] of recipients) if (!recipient.settled && recipient.userIdentifier === userIdentifier) settled.push(id);
    }
    for (const id of settled) recipients.get(id)!.settled = true;
    this.prune(messageId, recipients);
    return settled;
  }

  pending(messageId: string, connectionId: string): boolean {
    return this.messages.get(messageId)?.get(connectionId)?.settled === false;
  }

  giveUp(messageId: string, connectionId: string): boolean {
    const recipients = this.messages.get(messageId);
    const recipient = recipients?.get(connectionId);
    if (!recipients || !recipient || recipient.settled) return false;
    recipient.settled = true;
    this.prune(messageId, recipients);
    return true;
  }

  /** Messages with a delivery still waiting. */
  get size(): number {
    return this.messages.size;
  }

  private prune(messageId: string, recipients: Map<string, Recipient>): void {
    for (const recipient of recipients.values()) if (!recipient.settled) return;
    this.messages.delete(messageId);
  }
}

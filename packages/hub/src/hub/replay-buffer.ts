/**
 * Stateful reconnect bookkeeping for one connection (HubProtocol.md, "Stateful
 * Reconnect"): outgoing trackable records kept until the client acknowledges
 * them, and the incoming sequence used to drop duplicates after a reconnect.
 * Sequence ids are implicit: the n-th trackable message each way has id n.
 */
export class ReplayBuffer {
  private records: Buffer[] = [];
  private head = 0;
  /** Sequence id of `records[head]`. */
  private firstId = 1;
  private sent = 0;
  private buffered = 0;

  private nextIncomingId = 1;
  private latestIncomingId = 0;
  private latestAcked = 0;
  /** After a reconnect, incoming messages are ignored until the client's Sequence arrives. */
  awaitingSequence = false;

  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Keeps a trackable record for replay; the bytes are shared, not copied. */
  add(record: Buffer): void {
    this.records.push(record);
    this.sent++;
    this.buffered += record.length;
  }

  /** The client has everything up to `sequenceId`: release it. */
  acknowledge(sequenceId: number): void {
    const records = this.records;
    while (this.head < records.length && this.firstId <= sequenceId) {
      this.buffered -= records[this.head]!.length;
      this.head++;
      this.firstId++;
    }
    if (this.head === records.length) {
      this.records = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > records.length) {
      this.records = records.slice(this.head);
      this.head = 0;
    }
  }

  /** The Sequence id to announce after a reconnect and the records to send again. */
  replay(): { sequenceId: number; records: Buffer[] } {
    const records = this.records.slice(this.head);
    return { sequenceId: records.length > 0 ? this.firstId : this.sent + 1, records };
  }

  /** Counts an incoming trackable message; false for a duplicate already processed. */
  acceptIncoming(): boolean {
    const id = this.nextIncomingId++;
    if (id <= this.latestIncomingId) return false;
    this.latestIncomingId = id;
    return true;
  }

  /** Aligns the incoming counter with the client's Sequence message; false if it is impossible. */
  resetIncoming(sequenceId: number): boolean {
    if (sequenceId > this.nextIncomingId) return false;
    this.nextIncomingId = sequenceId;
    return true;
  }

  /** The Ack to send, if anything arrived since the last one. */
  takeAck(): number | undefined {
    if (this.latestIncomingId <= this.latestAcked) return undefined;
    this.latestAcked = this.latestIncomingId;
    return this.latestIncomingId;
  }
}

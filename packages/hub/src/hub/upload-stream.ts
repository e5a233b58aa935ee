/**
 * A client-to-server stream handed to a hub method as an async iterable. Items
 * arrive from StreamItem messages; a Completion ends it, with an error if the
 * client sent one or the connection closed.
 */
export class UploadStream<T = unknown> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private head = 0;
  private ended = false;
  private failure: Error | undefined;
  private waiter: ((result: IteratorResult<T>) => void) | undefined;
  private waiterReject: ((error: Error) => void) | undefined;
  private iterated = false;

  constructor(
    readonly streamId: string,
    /** Items the method has not read yet beyond which the stream fails instead of growing. */
    private readonly capacity = 10_000,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  push(item: T): void {
    if (this.ended) return;
    const waiter = this.waiter;
    if (waiter) {
      this.clearWaiter();
      waiter({ value: item, done: false });
    } else if (this.items.length - this.head >= this.capacity) {
      // Refuse rather than buffer without bound or drop items silently.
      this.items.length = 0;
      this.head = 0;
      this.complete(new Error(`Client stream '${this.streamId}' sent items faster than the server read them (more than ${this.capacity} waiting).`));
    } else {
      this.items.push(item);
    }
  }

  complete(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    if (this.waiter) {
      const resolve = this.waiter;
      const reject = this.waiterReject!;
      this.clearWaiter();
      if (error) reject(error);
      else resolve({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterated) throw new Error(`Client stream '${this.streamId}' can only be read once.`);
    this.iterated = true;
    return {
      next: () => this.next(),
      return: async () => {
        this.ended = true;
        this.items.length = 0;
        return { value: undefined, done: true };
      },
    };
  }

  private next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) {
      return this.failure ? Promise.reject(this.failure) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.waiterReject = reject;
    });
  }

  private clearWaiter(): void {
    this.waiter = undefined;
    this.waiterReject = undefined;
  }
}

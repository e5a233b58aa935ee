/** Callbacks for one kind of event; a throwing callback is reported, and the others still run. */
export class Listeners<T> {
  private readonly callbacks = new Set<(value: T) => void>();

  constructor(private readonly onCallbackError: (error: unknown) => void) {}

  /** Adds `callback`; the returned function removes it. */
  add(callback: (value: T) => void): () => void {
    // A wrapper, so the same function added twice is called twice and removed one at a time.
    const entry = (value: T) => callback(value);
    this.callbacks.add(entry);
    return () => {
      this.callbacks.delete(entry);
    };
  }

  emit(value: T): void {
    for (const callback of [...this.callbacks]) {
      try {
        callback(value);
      } catch (error) {
        this.onCallbackError(error);
      }
    }
  }
}

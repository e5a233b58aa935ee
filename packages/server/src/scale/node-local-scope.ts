import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Marks work whose hub sends must stay on this node. In scaled mode every API
 * node reads every job event from the feed and delivers it to its own
 * connections; a send made while delivering must not also go through the
 * backplane, or the other nodes' connections would get it once per node.
 * The mark follows the async work started inside `run` (awaits, timers,
 * callbacks), so surfaces need not know about it.
 */
export class NodeLocalScope {
  private readonly storage = new AsyncLocalStorage<true>();

  run<T>(task: () => Promise<T>): Promise<T> {
    return this.storage.run(true, task);
  }

  /** Whether the caller runs inside `run`. */
  get active(): boolean {
    return this.storage.getStore() === true;
  }
}

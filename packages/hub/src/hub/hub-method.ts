/** How a hub method appears on the wire. */
export interface HubMethodOptions {
  /** The name clients invoke (like `[HubMethodName]`); defaults to the property name. */
  readonly name?: string;
  /**
   * How many arguments the method takes, counting client-stream parameters.
   * Defaults to the function's declared parameter count (`fn.length`), which
   * does not count parameters with defaults or rest parameters.
   */
  readonly parameters?: number;
  /**
   * Positions of parameters fed by client streams (`streamIds`). Defaults to the
   * last parameters, as many as the invocation has stream ids.
   */
  readonly streams?: readonly number[];
}

export const HUB_METHOD_OPTIONS = Symbol.for('tidings.hubMethodOptions');

type Tagged = { [HUB_METHOD_OPTIONS]?: HubMethodOptions };

/**
 * Declares a hub method callable by clients (a class hub's other methods are
 * not), with optional wire options, as a standard decorator:
 *
 * ```ts
 * class ProgressHub extends Hub {
 *   @hubMethod()
 *   async cancelJob(jobId: string) { … }
 *
 *   @hubMethod('subscribeToJob')
 *   async subscribeToJobAsync(jobId: string) { … }
 * }
 * ```
 */
export function hubMethod(nameOrOptions: string | HubMethodOptions = {}) {
  const options = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
  return function decorate<F extends (...args: never[]) => unknown>(method: F, _context?: ClassMethodDecoratorContext): F {
    (method as Tagged)[HUB_METHOD_OPTIONS] = options;
    return method;
  };
}

export function hubMethodOptionsOf(fn: unknown): HubMethodOptions | undefined {
  return typeof fn === 'function' ? (fn as Tagged)[HUB_METHOD_OPTIONS] : undefined;
}

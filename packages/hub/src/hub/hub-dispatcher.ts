import type { HubLifetimeManager } from '../lifetime/lifetime-manager.js';
import type { HubLogger } from '../logger.js';
import type { HubMeter } from '../metrics/hub-meter.js';
import { otelContext } from '../tracing/hub-tracer.js';
import { type InvocationMessage, MessageType, type StreamInvocationMessage } from '../protocol/messages.js';
import { DefaultGroupManager, DefaultHubCallerClients } from './clients.js';
import {
  type ConnectedNext,
  type DisconnectedNext,
  type HubFilter,
  type HubInvocationContext,
  type InvokeNext,
  composeConnected,
  composeDisconnected,
  composeInvoke,
} from './filters.js';
import type { HubConnectionContext } from './hub-connection-context.js';
import type { HubDefinition, HubMethodDescriptor } from './hub-definition.js';
import { HubException } from './hub-exception.js';
import { InvocationObserver } from './invocation-observer.js';
import { UploadStream } from './upload-stream.js';

export interface DispatcherOptions {
  readonly detailedErrors: boolean;
  readonly maximumParallelInvocationsPerClient: number;
  readonly filters: readonly HubFilter[];
  readonly activator: (() => object) | undefined;
}

interface DispatchState {
  running: number;
  readonly queue: (InvocationMessage | StreamInvocationMessage)[];
}

type HubScope = Record<string, unknown>;

/** Invocations a client may have waiting behind its running ones before it is disconnected. */
const MAX_QUEUED_INVOCATIONS = 4096;

/**
 * Binds invocations to hub methods and runs them through the filters: argument
 * checks, client-stream parameters, results, server-to-client streams with
 * cancellation and backpressure, and errors shaped as ASP.NET Core shapes them.
 */
export class HubDispatcher {
  private readonly groups: DefaultGroupManager;
  private readonly invokeChain: InvokeNext;
  private readonly connectedChain: ConnectedNext;
  private readonly disconnectedChain: DisconnectedNext;
  private readonly states = new WeakMap<HubConnectionContext, DispatchState>();
  private readonly hasConnectedHooks: boolean;
  private readonly hasDisconnectedHooks: boolean;
  /** Invocation counts and durations, when the hub has metrics. */
  meter: HubMeter | undefined;

  constructor(
    private readonly definition: HubDefinition,
    private readonly options: DispatcherOptions,
    private readonly lifetimeManager: HubLifetimeManager,
    private readonly logger: HubLogger,
    /** The hub's name in spans (`rpc.service`). */
    private readonly hubName: string,
  ) {
    this.groups = new DefaultGroupManager(lifetimeManager);
    this.invokeChain = composeInvoke(options.filters, async (invocation) => {
      const descriptor = this.definition.find(invocation.methodName)!;
      return descriptor.fn.apply(invocation.hub, invocation.arguments);
    });
    this.connectedChain = composeConnected(options.filters, async (lifetime) => {
      await this.definition.onConnected?.call(lifetime.hub);
    });
    this.disconnectedChain = composeDisconnected(options.filters, async (lifetime, error) => {
      await this.definition.onDisconnected?.call(lifetime.hub, error);
    });
    // Most connections of a hub without lifecycle code should cost nothing at connect time.
    this.hasConnectedHooks = definition.onConnected !== undefined || options.filters.some((f) => f.onConnected);
    this.hasDisconnectedHooks = definition.onDisconnected !== undefined || options.filters.some((f) => f.onDisconnected);
  }

  get methodNames(): string[] {
    return this.definition.methodNames;
  }

  /**
   * Activates the hub for the new connection, as ASP.NET does, so a hub that
   * cannot be constructed fails the connection at once rather than at its first call.
   */
  async onConnected(connection: HubConnectionContext): Promise<void> {
    if (!this.hasConnectedHooks) {
      // An object hub has no constructor to fail; only a class hub needs the trial.
      if (this.definition.kind === 'class') this.createHub(connection, undefined);
      return;
    }
    const hub = this.createHub(connection, undefined);
    await this.connectedChain({ hub, context: connection });
  }

  async onDisconnected(connection: HubConnectionContext, error: Error | undefined): Promise<void> {
    if (!this.hasDisconnectedHooks) return;
    try {
      const hub = this.createHub(connection, undefined);
      await this.disconnectedChain({ hub, context: connection }, error);
    } catch (err) {
      this.logger.error({ connectionId: connection.connectionId, err }, 'onDisconnected failed');
    }
  }

  /** Runs (or queues, past the per-client parallelism limit) one invocation. */
  dispatch(connection: HubConnectionContext, message: InvocationMessage | StreamInvocationMessage): void {
    let state = this.states.get(connection);
    if (!state) this.states.set(connection, (state = { running: 0, queue: [] }));
    if (state.running >= this.options.maximumParallelInvocationsPerClient) {
      if (state.queue.length >= MAX_QUEUED_INVOCATIONS) {
        connection.close(`Connection closed with an error. More than ${MAX_QUEUED_INVOCATIONS} invocations are waiting to run.`, false, 'rate_limit');
        return;
      }
      state.queue.push(message);
      return;
    }
    this.start(connection, message, state);
  }

  private start(connection: HubConnectionContext, message: InvocationMessage | StreamInvocationMessage, state: DispatchState): void {
    state.running++;
    void this.run(connection, message)
      .catch((err: unknown) => {
        // invoke answers every failure itself; reaching here is a bug, never a reason to crash the process.
        this.logger.error({ connectionId: connection.connectionId, err }, 'invocation failed unexpectedly');
      })
      .finally(() => {
        state.running--;
        const next = state.queue.shift();
        if (next && connection.isConnected) this.start(connection, next, state);
      });
  }

  /**
   * Holds the invocation slot while the client has not acknowledged what the replay
   * buffer may keep, so a client sending without acknowledging is slowed, not buffered for.
   */
  private async run(connection: HubConnectionContext, message: InvocationMessage | StreamInvocationMessage): Promise<void> {
    if (connection.awaitingAcks) {
      await connection.whenAcknowledged();
      if (connection.isClosed) return;
    }
    await this.invoke(connection, message);
  }

  /** Resolves when the method has returned; a stream it returned keeps flowing after. */
  private async invoke(connection: HubConnectionContext, message: InvocationMessage | StreamInvocationMessage): Promise<void> {
    const isStreamInvocation = message.type === MessageType.StreamInvocation;
    const invocationId = message.invocationId;
    const descriptor = this.definition.find(message.target);
    const observer = new InvocationObserver(this.meter, descriptor?.name, this.hubName, connection, message.headers);
    // Error texts quote the target as the client sent it, in ASP.NET Core's words.
    if (!descriptor) {
      // ASP.NET's binder refuses an unknown target before dispatch, with a HubException.
      observer.end('error');
      this.fail(connection, invocationId, `Failed to invoke '${message.target}' due to an error on the server. HubException: Method does not exist.`);
      return;
    }
    if (descriptor.isAsyncGenerator && !isStreamInvocation) {
      const text = streamingMismatch(message.target, true);
      observer.end('error', new Error(text));
      this.fail(connection, invocationId, text);
      return;
    }
    const streamIds = message.streamIds ?? [];
    // With declared stream parameters the counts are ASP.NET's: arguments against the
    // other parameters, then streams against the stream parameters. Otherwise the
    // streams fill the last parameters and only the total can be checked.
    const declaredStreams = descriptor.streamParameters?.length;
    const provided = declaredStreams === undefined ? message.arguments.length + streamIds.length : message.arguments.length;
    const expected = descriptor.parameterCount - (declaredStreams ?? 0);
    if (provided !== expected) {
      const detail = `Invocation provides ${provided} argument(s) but target expects ${expected}.`;
      observer.end('error', new Error(detail));
      this.fail(
        connection,
        invocationId,
        // A binding failure: its InvalidDataException is shown only with detailed errors, as in ASP.NET.
        `Failed to invoke '${message.target}' due to an error on the server.${this.options.detailedErrors ? ` InvalidDataException: ${detail}` : ''}`,
      );
      return;
    }
    if (declaredStreams !== undefined && streamIds.length !== declaredStreams) {
      const error = new HubException(`Client sent ${streamIds.length} stream(s), Hub method expects ${declaredStreams}.`);
      observer.end('hub_exception', error);
      this.fail(connection, invocationId, this.errorMessage(`An unexpected error occurred invoking '${message.target}' on the server.`, error));
      return;
    }

    const args = this.bindArguments(connection, descriptor, message.arguments, streamIds);
    // Only an invocation with an id can be cancelled; the others follow the connection.
    const controller = invocationId !== undefined ? new AbortController() : undefined;
    if (controller) {
      if (!connection.invocations) connection.invocations = new Map();
      connection.invocations.set(invocationId!, controller);
    }
    let result: unknown;
    try {
      // Activation is part of the invocation: a hub that cannot be built fails this call like a throwing method.
      const hub = this.createHub(connection, controller?.signal);
      const signal = hub.signal as AbortSignal;
      const invocation: HubInvocationContext = { hub, context: connection, methodName: descriptor.name, arguments: args, signal };
      const spanContext = observer.context;
      result = await (spanContext ? otelContext.with(spanContext, this.invokeChain, undefined, invocation) : this.invokeChain(invocation));
    } catch (error) {
      observer.end(InvocationObserver.outcomeOf(error, controller?.signal), error);
      this.releaseInvocation(connection, invocationId, streamIds);
      this.fail(connection, invocationId, this.errorMessage(`An unexpected error occurred invoking '${message.target}' on the server.`, error), error);
      return;
    }

    const stream = asAsyncIterable(result);
    if (isStreamInvocation) {
      if (!stream) {
        const text = streamingMismatch(message.target, false);
        observer.end('error', new Error(text));
        this.releaseInvocation(connection, invocationId, streamIds);
        this.fail(connection, invocationId, text);
        return;
      }
      void this.streamItems(connection, invocationId!, stream, controller!.signal, streamIds, observer);
      return;
    }
    this.releaseInvocation(connection, invocationId, streamIds);
    if (stream) {
      void closeIterable(stream);
      const text = streamingMismatch(message.target, true);
      observer.end('error', new Error(text));
      this.fail(connection, invocationId, text);
      return;
    }
    if (invocationId === undefined) {
      observer.end('ok');
      return;
    }
    try {
      connection.send({ type: MessageType.Completion, invocationId, result, hasResult: result !== undefined });
      observer.end('ok');
    } catch (error) {
      // The result cannot be encoded (a cycle, a BigInt in JSON, too deep): the caller still gets an answer.
      observer.end('error', error);
      this.fail(connection, invocationId, this.errorMessage(`An unexpected error occurred invoking '${message.target}' on the server.`, error), error);
    }
  }

  private async streamItems(
    connection: HubConnectionContext,
    invocationId: string,
    stream: AsyncIterable<unknown>,
    signal: AbortSignal,
    streamIds: readonly string[],
    observer: InvocationObserver,
  ): Promise<void> {
    const iterator = stream[Symbol.asyncIterator]();
    let error: string | undefined;
    let failure: unknown;
    let finished = false;
    let producing = false;
    try {
      for (;;) {
        producing = true;
        const next = await untilAborted(iterator.next(), signal);
        producing = false;
        if (next === ABORTED) break;
        if (next.done) {
          finished = true;
          break;
        }
        // An item that cannot be encoded throws here and ends the stream with an error.
        connection.send({ type: MessageType.StreamItem, invocationId, item: next.value });
        if (connection.isBackedUp() && (await untilAborted(connection.whenWritable(), signal)) === ABORTED) break;
      }
    } catch (err) {
      // A producer that threw is finished. Waiting for drain only fails once the connection
      // is gone, and then the signal has fired: that producer still needs stopping.
      finished = producing && !signal.aborted;
      if (!signal.aborted) {
        failure = err;
        error = this.errorMessage('An error occurred on the server while streaming results.', err);
        this.logger.debug({ connectionId: connection.connectionId, invocationId, err }, 'stream failed');
      }
    } finally {
      this.releaseInvocation(connection, invocationId, streamIds);
      // Stopping the producer runs its `finally` (an async generator's cleanup).
      if (!finished) void closeIterator(iterator);
    }
    if (error !== undefined) observer.end(InvocationObserver.outcomeOf(failure, undefined), failure);
    else observer.end(finished ? 'ok' : 'cancelled');
    connection.send({ type: MessageType.Completion, invocationId, error });
  }

  private bindArguments(
    connection: HubConnectionContext,
    descriptor: HubMethodDescriptor,
    provided: readonly unknown[],
    streamIds: readonly string[],
  ): unknown[] {
    if (streamIds.length === 0) return provided.slice();
    const total = descriptor.parameterCount;
    const positions = descriptor.streamParameters ?? streamIds.map((_, i) => total - streamIds.length + i);
    const args: unknown[] = new Array(total);
    const streamAt = new Map<number, UploadStream>();
    if (!connection.uploads) connection.uploads = new Map();
    streamIds.forEach((id, i) => {
      const upload = new UploadStream(id);
      connection.uploads!.set(id, upload);
      streamAt.set(positions[i] ?? total - streamIds.length + i, upload);
    });
    let next = 0;
    for (let i = 0; i < total; i++) args[i] = streamAt.get(i) ?? provided[next++];
    return args;
  }

  private releaseInvocation(connection: HubConnectionContext, invocationId: string | undefined, streamIds: readonly string[]): void {
    if (invocationId !== undefined) connection.invocations?.delete(invocationId);
    for (const id of streamIds) {
      const upload = connection.uploads?.get(id);
      if (!upload) continue;
      connection.uploads!.delete(id);
      upload.complete();
    }
  }

  /** `signal` undefined: the connection's own abort signal, created only if the hub reads it. */
  private createHub(connection: HubConnectionContext, signal: AbortSignal | undefined): HubScope {
    const definition = this.definition;
    let hub: HubScope;
    if (definition.kind === 'class') {
      const activator = this.options.activator;
      hub = (activator ? activator() : new (definition.prototype.constructor as new () => object)()) as HubScope;
    } else {
      hub = Object.create(definition.prototype) as HubScope;
    }
    hub.context = connection;
    hub.clients = new DefaultHubCallerClients(this.lifetimeManager, connection.connectionId);
    hub.groups = this.groups;
    if (signal) hub.signal = signal;
    else Object.defineProperty(hub, 'signal', { get: () => connection.connectionAborted, configurable: true, enumerable: true });
    return hub;
  }

  private fail(connection: HubConnectionContext, invocationId: string | undefined, error: string, cause?: unknown): void {
    if (invocationId === undefined) {
      this.logger.warn({ connectionId: connection.connectionId, error, err: cause }, 'non-blocking invocation failed');
      return;
    }
    if (cause !== undefined && !(cause instanceof HubException)) {
      this.logger.error({ connectionId: connection.connectionId, err: cause }, 'hub method threw');
    }
    connection.send({ type: MessageType.Completion, invocationId, error });
  }

  /** ASP.NET Core's shape: the prefix alone, plus `Name: message` for HubException or with detailed errors. */
  private errorMessage(prefix: string, error: unknown): string {
    if (error instanceof HubException || this.options.detailedErrors) {
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      return `${prefix} ${name}: ${message}`;
    }
    return prefix;
  }
}

/** ASP.NET Core's text for a method invoked in the wrong mode; `target` as the client sent it. */
function streamingMismatch(target: string, methodStreams: boolean): string {
  return methodStreams
    ? `The client attempted to invoke the streaming '${target}' method with a non-streaming invocation.`
    : `The client attempted to invoke the non-streaming '${target}' method with a streaming invocation.`;
}

const ABORTED = Symbol('aborted');

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.resolve(ABORTED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function asAsyncIterable(value: unknown): AsyncIterable<unknown> | undefined {
  if (value !== null && typeof value === 'object' && Symbol.asyncIterator in value) return value as AsyncIterable<unknown>;
  return undefined;
}

async function closeIterator(iterator: AsyncIterator<unknown>): Promise<void> {
  try {
    await iterator.return?.();
  } catch {
    // The producer failed while stopping; the stream is over either way.
  }
}

async function closeIterable(iterable: AsyncIterable<unknown>): Promise<void> {
  await closeIterator(iterable[Symbol.asyncIterator]());
}

import { Hub, type HubClass, type HubObject } from './hub.js';
import { type HubMethodOptions, hubMethodOptionsOf } from './hub-method.js';

export type HubMethodFunction = (...args: unknown[]) => unknown;

export interface HubMethodDescriptor {
  /** Name on the wire, as declared (its case is kept for logs and errors). */
  readonly name: string;
  readonly fn: HubMethodFunction;
  readonly parameterCount: number;
  readonly streamParameters: readonly number[] | undefined;
  /** An `async function*`: known to stream before it is called. */
  readonly isAsyncGenerator: boolean;
}

const LIFECYCLE = new Set(['constructor', 'onConnected', 'onDisconnected']);
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor;

/**
 * The invocable surface of a hub (class or object), built once at `mapHub`.
 * Lookup is case-insensitive, as in ASP.NET Core.
 */
export class HubDefinition {
  private readonly methods = new Map<string, HubMethodDescriptor>();
  readonly onConnected: HubMethodFunction | undefined;
  readonly onDisconnected: HubMethodFunction | undefined;

  constructor(
    readonly kind: 'class' | 'object',
    readonly prototype: object,
    staticOptions: Readonly<Record<string, HubMethodOptions>> | undefined,
  ) {
    const seen = new Set<string>();
    for (let proto: object | null = prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      if (proto === Hub.prototype) break;
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (seen.has(key)) continue;
        seen.add(key);
        if (LIFECYCLE.has(key) || key.startsWith('_')) continue;
        const descriptor = Object.getOwnPropertyDescriptor(proto, key);
        if (!descriptor || typeof descriptor.value !== 'function') continue;
        this.add(key, descriptor.value as HubMethodFunction, staticOptions?.[key]);
      }
    }
    this.onConnected = lifecycle(prototype, 'onConnected');
    this.onDisconnected = lifecycle(prototype, 'onDisconnected');
  }

  static fromClass(hubClass: HubClass): HubDefinition {
    const options = (hubClass as unknown as { hubMethods?: Readonly<Record<string, HubMethodOptions>> }).hubMethods;
    return new HubDefinition('class', hubClass.prototype as object, options);
  }

  static fromObject(hub: HubObject): HubDefinition {
    return new HubDefinition('object', hub, undefined);
  }

  find(target: string): HubMethodDescriptor | undefined {
    return this.methods.get(target.toLowerCase());
  }

  get methodNames(): string[] {
    return [...this.methods.values()].map((m) => m.name);
  }

  private add(key: string, fn: HubMethodFunction, staticOptions: HubMethodOptions | undefined): void {
    const options = { ...staticOptions, ...hubMethodOptionsOf(fn) };
    const name = options.name ?? key;
    const lower = name.toLowerCase();
    const existing = this.methods.get(lower);
    if (existing) throw new Error(`Duplicate hub method name '${name}' (also '${existing.name}'): names match case-insensitively.`);
    this.methods.set(lower, {
      name,
      fn,
      parameterCount: options.parameters ?? fn.length,
      streamParameters: options.streams,
      isAsyncGenerator: fn instanceof AsyncGeneratorFunction,
    });
  }
}

function lifecycle(prototype: object, key: string): HubMethodFunction | undefined {
  const value = (prototype as Record<string, unknown>)[key];
  return typeof value === 'function' ? (value as HubMethodFunction) : undefined;
}

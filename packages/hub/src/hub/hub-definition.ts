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
 * A class hub exposes only the methods its author declared: `@hubMethod()` on
 * the method, or a key of `static hubMethods`. TypeScript's `private` leaves no
 * trace at run time, so "public" cannot be the rule. An object hub is a list of
 * its methods by construction: each function property (not starting with `_`).
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
        if (LIFECYCLE.has(key)) continue;
        const descriptor = Object.getOwnPropertyDescriptor(proto, key);
        if (!descriptor || typeof descriptor.value !== 'function') continue;
        const fn = descriptor.value as HubMethodFunction;
        const declared = kind === 'object' ? !key.startsWith('_') : hubMethodOptionsOf(fn) !== undefined || (staticOptions !== undefined && Object.hasOwn(staticOptions, key));
        if (declared) this.add(key, fn, staticOptions?.[key]);
      }
    }
    for (const key of Object.keys(staticOptions ?? {})) {
      if (!seen.has(key) || LIFECYCLE.has(key)) throw new Error(`The hub declares '${key}' in hubMethods, but the hub has no such method.`);
    }
    this.onConnected = lifecycle(prototype, 'onConnected');
    this.onDisconnected = lifecycle(prototype, 'onDisconnected');
  }

  static fromClass(hubClass: HubClass): HubDefinition {
    // Each class in the chain may declare its own `static hubMethods`; a subclass adds to its parents'.
    let options: Record<string, HubMethodOptions> | undefined;
    for (let c: object | null = hubClass; c && c !== Hub && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
      if (!Object.hasOwn(c, 'hubMethods')) continue;
      const own = (c as { hubMethods?: Readonly<Record<string, HubMethodOptions>> }).hubMethods;
      if (own) options = { ...own, ...options };
    }
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

import { randomUUID } from 'node:crypto';

/**
 * What every message of a reliable hub carries: an id to
 * acknowledge, when it was made, what it belongs with, and how many times it
 * has been re-sent.
 */
export interface MessageEnvelope {
  readonly messageId: string;
  readonly timestamp: string;
  readonly correlationId: string | null;
  readonly retryCount: number;
}

export type Enveloped<T extends object> = T & MessageEnvelope;

/**
 * The payload with an envelope added. A payload's own `timestamp` is kept (it
 * says when the thing happened); the envelope's fields win otherwise.
 */
export function envelope<T extends object>(payload: T, options: { readonly correlationId?: string | null; readonly now?: number } = {}): Enveloped<T> {
  const own = (payload as { timestamp?: unknown }).timestamp;
  return {
    ...payload,
    messageId: randomUUID(),
    timestamp: typeof own === 'string' ? own : new Date(options.now ?? Date.now()).toISOString(),
    correlationId: options.correlationId ?? null,
    retryCount: 0,
  };
}

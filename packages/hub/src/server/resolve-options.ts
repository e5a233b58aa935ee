import { DEFAULT_GROUP_LIMITS } from '../lifetime/lifetime-manager.js';
import { consoleLogger } from '../logger.js';
import { DEFAULT_MAX_MESSAGE_DEPTH } from '../protocol/nesting-depth.js';
import { defaultProtocols } from '../protocol/protocol-registry.js';
import { ALL_TRANSPORTS } from '../transports/transport.js';
import type { HubOptions, ResolvedHubOptions } from './hub-options.js';

/** Fills in ASP.NET Core's defaults and rejects settings that cannot work. */
export function resolveHubOptions(options: HubOptions): ResolvedHubOptions {
  const resolved: ResolvedHubOptions = {
    transports: options.transports ?? ALL_TRANSPORTS,
    protocols: options.protocols ?? defaultProtocols(),
    maxReceiveMessageSize: options.maxReceiveMessageSize ?? 32 * 1024,
    maxMessageDepth: options.maxMessageDepth ?? DEFAULT_MAX_MESSAGE_DEPTH,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? 15_000,
    clientTimeoutMs: options.clientTimeoutMs ?? 30_000,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 15_000,
    detailedErrors: options.detailedErrors ?? false,
    cors: options.cors,
    authenticate: options.authenticate,
    requireAuthentication: options.requireAuthentication ?? options.authenticate !== undefined,
    filters: options.filters ?? [],
    activator: options.activator,
    maximumParallelInvocationsPerClient: options.maximumParallelInvocationsPerClient ?? 1,
    longPollTimeoutMs: options.longPollTimeoutMs ?? 90_000,
    disconnectTimeoutMs: options.disconnectTimeoutMs ?? 15_000,
    allowStatefulReconnects: options.allowStatefulReconnects ?? true,
    statefulReconnectBufferSize: options.statefulReconnectBufferSize ?? 100_000,
    maxUnacknowledgedBytes: options.maxUnacknowledgedBytes ?? 1024 * 1024,
    statefulReconnectWindowMs: options.statefulReconnectWindowMs ?? 30_000,
    clientResultTimeoutMs: options.clientResultTimeoutMs ?? 30_000,
    maxBufferedBytes: options.maxBufferedBytes ?? 16 * 1024 * 1024,
    streamHighWaterMark: options.streamHighWaterMark ?? 256 * 1024,
    maxGroupsPerConnection: options.maxGroupsPerConnection ?? DEFAULT_GROUP_LIMITS.maxGroupsPerConnection,
    maxGroupNameLength: options.maxGroupNameLength ?? DEFAULT_GROUP_LIMITS.maxGroupNameLength,
    maxFailedAuthenticationsPerIp: options.maxFailedAuthenticationsPerIp ?? 20,
    failedAuthenticationWindowMs: options.failedAuthenticationWindowMs ?? 60_000,
    maxConnections: options.maxConnections,
    onNegotiate: options.onNegotiate,
    logger: options.logger ?? consoleLogger,
    metrics: options.metrics,
  };
  if (resolved.transports.length === 0) throw new Error('A hub needs at least one transport.');
  if (resolved.protocols.length === 0) throw new Error('A hub needs at least one protocol.');
  if (resolved.maximumParallelInvocationsPerClient < 1) throw new Error('maximumParallelInvocationsPerClient must be at least 1.');
  for (const key of ['keepAliveIntervalMs', 'clientTimeoutMs', 'handshakeTimeoutMs', 'maxReceiveMessageSize', 'maxMessageDepth', 'maxGroupsPerConnection', 'maxGroupNameLength', 'maxFailedAuthenticationsPerIp', 'failedAuthenticationWindowMs'] as const) {
    if (!(resolved[key] > 0)) throw new Error(`${key} must be a positive number.`);
  }
  if (resolved.maxUnacknowledgedBytes < resolved.statefulReconnectBufferSize) {
    throw new Error('maxUnacknowledgedBytes must be at least statefulReconnectBufferSize.');
  }
  return resolved;
}

/**
 * Why a connection ended, as `signalr_server_connections_closed_total{reason}`
 * reports it. A fixed list, so the label stays bounded.
 *
 * - `client_close`: the client said goodbye (a Close message, a clean WebSocket close, DELETE, an event stream it closed);
 * - `transport_lost`: the transport dropped without a goodbye;
 * - `timeout`: silence past `clientTimeoutMs`, a handshake, poll, Ack or stateful-reconnect wait that ran out;
 * - `oversize`: a message or request over its size limit;
 * - `slow_consumer`: more unsent or unacknowledged output than allowed;
 * - `rate_limit`: too many invocations waiting, or a client refused for too many failed authentications;
 * - `auth_failed`: refused credentials (the attempt never became a connection);
 * - `connection_limit`: refused at negotiate because `maxConnections` were open;
 * - `protocol_error`: bytes that break the protocol, a failed handshake;
 * - `hub_error`: the hub could not be activated or its `onConnected` threw; a connection handler failed;
 * - `server_error`: the server could not process the connection (the lifetime manager failed);
 * - `server_shutdown`: the server is closing;
 * - `app_close`: the application ended it (`context.abort()`, a raw connection's `close()` or its handler returning).
 */
export type CloseReason =
  | 'client_close'
  | 'transport_lost'
  | 'timeout'
  | 'oversize'
  | 'slow_consumer'
  | 'rate_limit'
  | 'auth_failed'
  | 'connection_limit'
  | 'protocol_error'
  | 'hub_error'
  | 'server_error'
  | 'server_shutdown'
  | 'app_close';

export const CLOSE_REASONS: readonly CloseReason[] = [
  'client_close',
  'transport_lost',
  'timeout',
  'oversize',
  'slow_consumer',
  'rate_limit',
  'auth_failed',
  'connection_limit',
  'protocol_error',
  'hub_error',
  'server_error',
  'server_shutdown',
  'app_close',
];

/** ASP.NET's `signalr.connection.status`: how the connection ended, in three words. */
export type ConnectionStatusLabel = 'normal_closure' | 'timeout' | 'app_shutdown';

export function connectionStatusOf(reason: CloseReason): ConnectionStatusLabel {
  if (reason === 'timeout') return 'timeout';
  if (reason === 'server_shutdown') return 'app_shutdown';
  return 'normal_closure';
}

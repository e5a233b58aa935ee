export { HubServer } from './server/hub-server.js';
export { HubEndpoint } from './server/hub-endpoint.js';
export { ConnectionEndpoint } from './server/connection-endpoint.js';
export type { HubOptions, ConnectionOptions, CorsOptions, Authenticator, NegotiateDecision, NegotiateHeaders } from './server/hub-options.js';
export { RawConnection, type RawDataListener, type RawCloseListener } from './connection/raw-connection.js';
export type { ConnectionHandlerFunction } from './connection/raw-connection-handler.js';
export { bearerToken } from './server/token.js';

export { Hub, type HubCallerContext, type HubClass, type HubObject, type HubInvocationScope } from './hub/hub.js';
export { hubMethod, type HubMethodOptions } from './hub/hub-method.js';
export { HubException } from './hub/hub-exception.js';
export type { HubUser } from './hub/user.js';
export type {
  ClientMethods,
  UntypedClient,
  ClientProxy,
  SingleClientProxy,
  HubClients,
  HubCallerClients,
  GroupManager,
} from './hub/clients.js';
export { type HubContext, createHubContext } from './hub/hub-context.js';
export type { HubFilter, HubInvocationContext, HubLifetimeContext } from './hub/filters.js';

export type { HubLifetimeManager, LifetimeConnection, InvokeOptions, GroupLimits } from './lifetime/lifetime-manager.js';
export { DEFAULT_GROUP_LIMITS } from './lifetime/lifetime-manager.js';
export { MemoryHubLifetimeManager } from './lifetime/memory-lifetime-manager.js';
export { NodeLocalView } from './lifetime/node-local-view.js';
export type { HubPresence } from './lifetime/hub-presence.js';

export type { HubProtocol, TransferFormat } from './protocol/hub-protocol.js';
export { JsonHubProtocol } from './protocol/json-protocol.js';
export { MessagePackHubProtocol } from './protocol/msgpack-protocol.js';
export { SerializedMessage } from './protocol/serialized-message.js';
export { MessageType, type HubMessage, type InvocationMessage, type CompletionMessage } from './protocol/messages.js';
export { InvalidDataError } from './protocol/errors.js';

export { RequestInfo } from './connection/request-info.js';
export type { TransportName } from './transports/transport.js';

export { jwtAuthentication, createJwtVerifier, userFromClaims, type JwtAuthenticationOptions } from './auth/jwt.js';
export { expressHubs } from './adapters/express.js';
export { fastifyHubs, type FastifyInstanceLike } from './adapters/fastify.js';
export { type HubLogger, consoleLogger, silentLogger } from './logger.js';

export { HubMetrics, type HubMetricsOptions } from './metrics/hub-metrics.js';
export { type CloseReason, CLOSE_REASONS } from './metrics/close-reason.js';

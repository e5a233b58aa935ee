import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Span } from '@opentelemetry/api';
import { WebSocketServer } from 'ws';
import { Connection, type ConnectionHandler } from '../connection/connection.js';
import { RequestInfo } from '../connection/request-info.js';
import type { HubUser } from '../hub/user.js';
import type { HubMeter } from '../metrics/hub-meter.js';
import { activeSpanContext, failSpan, otelContext, startNegotiateSpan } from '../tracing/hub-tracer.js';
import { LongPollingSink, NO_CACHE } from '../transports/long-polling-transport.js';
import { ServerSentEventsSink } from '../transports/sse-transport.js';
import type { TransportName } from '../transports/transport.js';
import { SignalRWebSocket, WebSocketSink } from '../transports/websocket-transport.js';
import { answerPreflight, applyCors, originAllowed } from './cors.js';
import { FailedAuthLimiter, TooManyFailedAuthentications } from './failed-auth-limiter.js';
import type { ResolvedHubOptions } from './hub-options.js';
import { bearerToken } from './token.js';

const MAX_POST_BYTES = 16 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What sits on top of the connection layer: the hub protocol, or a raw connection handler. */
export interface ConnectionConsumer {
  /** Creates the application side of a connection when its first transport arrives. */
  createHandler(connection: Connection): ConnectionHandler;
  /** Largest WebSocket message accepted; a larger one closes the connection with a reason. */
  readonly maxFrameBytes: number;
  /** What spans call it (`rpc.service`): a hub's name, or the path of a connection handler. */
  readonly serviceName: string;
}

/**
 * One path served with SignalR's connection protocol (ASP.NET's
 * HttpConnectionDispatcher): negotiate, the three transports, authentication,
 * CORS, limits, and a single heartbeat timer for all of its connections. What
 * the bytes mean is up to its consumer: hubs and raw connection handlers share it.
 */
export class ConnectionEndpoint {
  private readonly connections = new Map<string, Connection>();
  private readonly wss: WebSocketServer;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly failedAuth: FailedAuthLimiter;
  private closing = false;
  /** This path's Prometheus series, when the `metrics` option is set. */
  readonly meter: HubMeter | undefined;

  constructor(
    /** The path as mapped (its casing is kept; routing ignores case). */
    readonly path: string,
    readonly options: ResolvedHubOptions,
    private readonly consumer: ConnectionConsumer,
  ) {
    this.failedAuth = new FailedAuthLimiter(options.maxFailedAuthenticationsPerIp, options.failedAuthenticationWindowMs);
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: consumer.maxFrameBytes,
      WebSocket: SignalRWebSocket,
    });
    const o = this.options;
    const tickMs = Math.max(10, Math.min(1000, o.keepAliveIntervalMs / 2, o.clientTimeoutMs / 4, o.handshakeTimeoutMs / 4));
    this.heartbeat = setInterval(() => this.tick(), tickMs);
    this.heartbeat.unref();
    this.meter = options.metrics?.meter(path, { unsentBytes: () => this.unsentBytes() });
  }

  private unsentBytes(): number {
    let total = 0;
    for (const connection of this.connections.values()) total += connection.outstandingBytes;
    return total;
  }

  /** Connections currently open on this node. */
  get connectionCount(): number {
    return this.connections.size;
  }

  // ---- HTTP ----------------------------------------------------------------

  /** Serves `{path}` and `{path}/negotiate`; `negotiate` tells which. */
  handleRequest(req: IncomingMessage, res: ServerResponse, negotiate: boolean): void {
    this.route(req, res, negotiate).catch((error: unknown) => this.sendError(res, error));
  }

  private async route(req: IncomingMessage, res: ServerResponse, negotiate: boolean): Promise<void> {
    if (req.method === 'OPTIONS') {
      answerPreflight(req, res, this.options.cors);
      return;
    }
    if (!applyCors(req, res, this.options.cors)) throw new HttpError(403, `Origin '${req.headers.origin}' is not allowed.`);
    const request = RequestInfo.from(req);
    if (negotiate) {
      if (req.method !== 'POST') throw new HttpError(405, 'Negotiate requires POST.', { Allow: 'POST' });
      await this.negotiate(request, res);
      return;
    }
    switch (req.method) {
      case 'GET':
        if ((req.headers.accept ?? '').includes('text/event-stream')) await this.serverSentEvents(request, res);
        else await this.poll(request, res);
        return;
      case 'POST':
        await this.receive(req, request, res);
        return;
      case 'DELETE':
        await this.deleteConnection(request, res);
        return;
      default:
        throw new HttpError(405, `${req.method} is not supported here.`, { Allow: 'GET, POST, DELETE, OPTIONS' });
    }
  }

  private async negotiate(request: RequestInfo, res: ServerResponse): Promise<void> {
    const { span, context } = startNegotiateSpan(this.path, this.consumer.serviceName);
    try {
      // The connection registered inside remembers this span; its invocation spans link to it.
      await otelContext.with(context, () => this.negotiateInSpan(request, res, span));
    } catch (error) {
      if (error instanceof HttpError) span.setAttribute('http.response.status_code', error.status);
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  private async negotiateInSpan(request: RequestInfo, res: ServerResponse, span: Span): Promise<void> {
    if (this.closing) throw new HttpError(503, 'The server is shutting down.');
    const user = await this.authenticate(request, true);
    const decision = await this.options.onNegotiate?.(request);
    // Headers the application sets here (an affinity cookie, say) reach the client with any answer.
    if (decision?.headers) for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
    if (decision && 'redirect' in decision) {
      this.json(res, 200, decision.accessToken ? { url: decision.redirect, accessToken: decision.accessToken } : { url: decision.redirect });
      return;
    }
    if (decision && 'error' in decision) {
      this.json(res, 200, { error: decision.error });
      return;
    }
    if (this.options.maxConnections !== undefined && this.connections.size >= this.options.maxConnections) {
      this.meter?.refused('connection_limit');
      span.setAttribute('signalr.negotiate.error', 'connection_limit');
      this.json(res, 200, { error: 'The server has reached its connection limit. Try again later.' });
      return;
    }
    const raw = request.queryValue('negotiateVersion');
    const requested = raw === undefined ? 0 : raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isInteger(requested)) {
      this.json(res, 200, { error: 'The client requested a non-integer protocol version.' });
      return;
    }
    // Newer clients are answered with the newest version this server speaks.
    const version = requested >= 1 ? 1 : 0;
    const connectionId = newId();
    const connectionToken = version >= 1 ? newId() : connectionId;
    const stateful = this.options.allowStatefulReconnects && request.queryValue('useStatefulReconnect')?.toLowerCase() === 'true';
    this.register(connectionId, connectionToken, request, user, stateful);
    span.setAttribute('signalr.connection.id', connectionId);
    span.setAttribute('signalr.negotiate.version', version);
    const body: Record<string, unknown> = {
      negotiateVersion: version,
      connectionId,
      availableTransports: this.options.transports.map((transport) => ({
        transport,
        transferFormats: transport === 'ServerSentEvents' ? ['Text'] : ['Text', 'Binary'],
      })),
    };
    if (version >= 1) body.connectionToken = connectionToken;
    if (stateful) body.useStatefulReconnect = true;
    this.json(res, 200, body);
  }

  private async serverSentEvents(request: RequestInfo, res: ServerResponse): Promise<void> {
    this.requireTransport('ServerSentEvents');
    const connection = await this.lookup(request);
    if (connection.transport === 'ServerSentEvents') throw new HttpError(409, 'An event stream is already open for this connection.');
    if (connection.transport) throw new HttpError(400, 'Cannot change transports mid-connection');
    const sink = new ServerSentEventsSink(res, connection);
    sink.start({});
    this.start(connection, sink, request);
  }

  private async poll(request: RequestInfo, res: ServerResponse): Promise<void> {
    this.requireTransport('LongPolling');
    const connection = await this.lookup(request);
    if (connection.transport === undefined) {
      // The first poll only establishes the transport and returns at once.
      this.start(connection, new LongPollingSink(connection), request);
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '0', ...NO_CACHE });
      res.end();
      return;
    }
    if (connection.transport !== 'LongPolling' || !(connection.sink instanceof LongPollingSink)) {
      throw new HttpError(400, 'Cannot change transports mid-connection');
    }
    connection.request = request;
    connection.sink.beginPoll(res, this.options.longPollTimeoutMs, {});
  }

  private async receive(req: IncomingMessage, request: RequestInfo, res: ServerResponse): Promise<void> {
    const connection = await this.lookup(request);
    if (connection.transport === 'WebSockets') throw new HttpError(405, 'POST requests are not allowed for WebSocket connections.');
    if (connection.transport === undefined) throw new HttpError(400, 'The connection has no transport yet.');
    if (connection.receiving) throw new HttpError(409, 'Another send request is in progress for this connection.');
    connection.receiving = true;
    let body: Buffer;
    try {
      body = await readBody(req, MAX_POST_BYTES);
    } catch (error) {
      connection.receiving = false;
      if (error instanceof HttpError && error.status === 413) connection.dispose(new Error(error.message), 'oversize');
      throw error;
    }
    connection.receiving = false;
    connection.receive(body, (req.headers['content-type'] ?? '').startsWith('application/octet-stream'));
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '0' });
    res.end();
  }

  private async deleteConnection(request: RequestInfo, res: ServerResponse): Promise<void> {
    const connection = await this.lookup(request);
    if (connection.transport !== 'LongPolling') throw new HttpError(400, 'Cannot terminate this connection using the DELETE endpoint.');
    res.writeHead(202, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '0' });
    res.end();
    const sink = connection.sink;
    if (sink) connection.transportEnded(sink, undefined, true);
    else connection.dispose();
  }

  // ---- WebSockets ----------------------------------------------------------

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.upgrade(req, socket, head).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof HttpError ? error.message : 'Internal server error.';
      if (!(error instanceof HttpError)) this.options.logger.error({ err: error }, 'WebSocket upgrade failed');
      rejectUpgrade(socket, status, message, error instanceof HttpError ? error.headers : {});
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.requireTransport('WebSockets');
    const origin = req.headers.origin;
    const cors = this.options.cors;
    if (origin && cors && !originAllowed(cors, origin)) throw new HttpError(403, `Origin '${origin}' is not allowed.`);
    const request = RequestInfo.from(req);
    let connection: Connection;
    if (!request.queryValue('id')) {
      if (this.closing) throw new HttpError(503, 'The server is shutting down.');
      const user = await this.authenticate(request, true);
      const id = newId();
      connection = this.register(id, id, request, user, false);
    } else {
      connection = await this.lookup(request);
      if (connection.transport && connection.transport !== 'WebSockets') throw new HttpError(400, 'Cannot change transports mid-connection');
      if (connection.sink) {
        if (!connection.statefulReconnect) throw new HttpError(409, 'A WebSocket is already open for this connection.');
        // Stateful reconnect overtook the old socket's close: retire the old one.
        connection.detachSink()?.abort();
      } else if (connection.status === 'active' && !connection.statefulReconnect) {
        throw new HttpError(404, 'No connection with that ID.');
      }
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (connection.status === 'disposed') {
        ws.close(1000);
        return;
      }
      this.start(connection, new WebSocketSink(ws, connection, this.consumer.maxFrameBytes), request);
    });
  }

  // ---- connections -----------------------------------------------------------

  private register(connectionId: string, token: string, request: RequestInfo, user: HubUser | undefined, stateful: boolean): Connection {
    const connection = new Connection(connectionId, token, request, {
      statefulReconnect: stateful,
      user,
      maxBufferedBytes: this.options.maxBufferedBytes,
      onDisposed: (c) => {
        if (this.connections.get(c.connectionToken) === c) this.connections.delete(c.connectionToken);
        if (this.meter && c.startedAt !== 0 && c.transport) {
          this.meter.connectionEnded(c.transport, c.closeReason ?? 'app_close', (performance.now() - c.startedAt) / 1000);
        }
      },
    });
    connection.origin = activeSpanContext();
    this.connections.set(token, connection);
    return connection;
  }

  private start(connection: Connection, sink: LongPollingSink | ServerSentEventsSink | WebSocketSink, request: RequestInfo): void {
    connection.request = request;
    if (!connection.handler) connection.handler = this.consumer.createHandler(connection);
    const first = connection.startedAt === 0;
    if (first) connection.startedAt = performance.now();
    connection.attach(sink);
    if (first) this.meter?.connectionStarted(sink.name);
  }

  private async lookup(request: RequestInfo): Promise<Connection> {
    const id = request.queryValue('id');
    if (!id) throw new HttpError(400, 'Connection ID required');
    const connection = this.connections.get(id);
    if (!connection || connection.status === 'disposed') throw new HttpError(404, 'No Connection with that ID');
    if (this.options.authenticate) {
      const user = await this.authenticate(request, connection.user !== undefined);
      if (connection.user && user?.id !== connection.user.id) {
        throw new HttpError(403, 'The request user does not match the connection user.');
      }
    }
    return connection;
  }

  private async authenticate(request: RequestInfo, enforce: boolean): Promise<HubUser | undefined> {
    const authenticate = this.options.authenticate;
    if (!authenticate) return undefined;
    await this.failedAuth.check(request.remoteAddress).catch((error: unknown) => {
      this.meter?.refused('rate_limit');
      return asTooManyRequests(error);
    });
    const token = bearerToken(request);
    let user: HubUser | null;
    try {
      user = await authenticate(request, token);
    } catch (error) {
      this.options.logger.debug({ error: (error as Error).message }, 'authentication failed');
      user = null;
    }
    const refused = !user && enforce && this.options.requireAuthentication;
    if (!user && (refused || token !== undefined)) await this.failedAuth.recordFailure(request.remoteAddress);
    if (refused) this.meter?.refused('auth_failed');
    if (refused) throw new HttpError(401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer' });
    return user ?? undefined;
  }

  private requireTransport(transport: TransportName): void {
    if (!this.options.transports.includes(transport)) throw new HttpError(404, `${transport} transport not supported by this end point type`);
  }

  private tick(): void {
    const now = Date.now();
    const disconnectTimeout = this.options.disconnectTimeoutMs;
    for (const connection of this.connections.values()) {
      if (connection.status === 'inactive') {
        if (now - connection.lastSeenAt > disconnectTimeout) connection.dispose(new Error('The client never connected a transport.'), 'timeout');
        continue;
      }
      if (connection.transport === 'LongPolling' && !connection.pollActive && now - connection.lastSeenAt > disconnectTimeout) {
        const sink = connection.sink;
        connection.closeReason ??= 'timeout';
        if (sink) connection.transportEnded(sink, new Error('The client stopped polling.'), true);
        else connection.dispose(new Error('The client stopped polling.'));
        continue;
      }
      connection.handler?.tick?.(now);
    }
  }

  /**
   * Stops accepting connections and closes the open ones, inviting clients with
   * automatic reconnect to come back (to another node, or to this one after a restart).
   */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    for (const connection of [...this.connections.values()]) {
      connection.closeReason ??= 'server_shutdown';
      const handler = connection.handler;
      if (handler) handler.close('Server is shutting down.', true);
      else connection.dispose();
    }
    // Give transports a moment to carry the Close messages out.
    const deadline = Date.now() + 2000;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const connection of [...this.connections.values()]) connection.dispose();
    this.meter?.detach();
  }

  // ---- responses -------------------------------------------------------------

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache' });
    res.end(text);
  }

  private sendError(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = error instanceof HttpError ? error.status : 500;
    const message = error instanceof HttpError ? error.message : 'Internal server error.';
    if (!(error instanceof HttpError)) this.options.logger.error({ err: error }, 'hub request failed');
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...(error instanceof HttpError ? error.headers : {}) });
    res.end(message);
  }
}

function newId(): string {
  return randomBytes(16).toString('base64url');
}

/** Past the limit, a body is read and dropped up to this many times the limit, so the 413 arrives intact; beyond, the socket is cut. */
const DRAIN_FACTOR = 4;

/**
 * Reads a send request's body. One over `limit` is read to its end without being
 * kept and then refused with 413, so the client gets the status and its reason
 * rather than a reset socket (closing a socket with unread input resets it).
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] | undefined = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (chunks === undefined) {
        if (size > limit * DRAIN_FACTOR) req.destroy();
        return;
      }
      if (size > limit) {
        chunks = undefined;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (chunks === undefined) reject(new HttpError(413, `The request body exceeds the limit of ${limit} bytes.`));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

function asTooManyRequests(error: unknown): never {
  if (error instanceof TooManyFailedAuthentications) throw new HttpError(429, error.message, { 'Retry-After': String(error.retryAfterSeconds) });
  throw error;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  413: 'Content Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function rejectUpgrade(socket: Duplex, status: number, message: string, headers: Record<string, string>): void {
  if (socket.destroyed) return;
  const body = Buffer.from(message);
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n${extra}\r\n${message}`,
  );
}

import { rawWs, rawWsBatched } from './raw-ws.js';
import { socketIo } from './socketio.js';
import { tidingsJson } from './tidings-json.js';
import { tidingsMessagePack } from './tidings-messagepack.js';
import type { WireName, WireProtocol } from './wire.js';

export const WIRE_PROTOCOLS: Readonly<Record<WireName, WireProtocol>> = {
  'tidings-json': tidingsJson,
  'tidings-messagepack': tidingsMessagePack,
  'socket.io': socketIo,
  ws: rawWs,
  'ws-batched': rawWsBatched,
};

import type { HubProtocol } from './hub-protocol.js';
import { JsonHubProtocol } from './json-protocol.js';
import { MessagePackHubProtocol } from './msgpack-protocol.js';

/** The protocols shipped with tidings; a hub accepts these unless configured otherwise. */
export function defaultProtocols(): HubProtocol[] {
  return [new JsonHubProtocol(), new MessagePackHubProtocol()];
}

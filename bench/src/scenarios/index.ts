import { FANOUT_JSON_NAME, fanoutScenario } from './fanout.js';
import { idleMemory } from './idle-memory.js';
import { connectionsAtScale } from './connections-at-scale.js';
import { endToEnd } from './end-to-end.js';
import { jobEvents } from './jobs.js';
import { latencySweep } from './latency.js';
import type { Scenario } from './scenario.js';

export const FANOUT_JSON = FANOUT_JSON_NAME;
export const FANOUT_MSGPACK = 'Group fan-out, MessagePack';
export const IDLE_MEMORY = idleMemory.name;
export const FANOUT_REDIS = 'Group fan-out through Redis, 2 nodes';
export const OFFICIAL_CLIENT = 'Official client end-to-end';

/** Every scenario, in the order they run. A new one is one more entry. */
export const SCENARIOS: readonly Scenario[] = [
  fanoutScenario(
    'fanout',
    FANOUT_JSON,
    [
      { system: 'tidings', client: 'tidings-json' },
      { system: 'socket.io', client: 'socket.io' },
      { system: 'ws-batched', client: 'ws-batched' },
      { system: 'ws-coalesced', client: 'ws' },
      { system: 'ws', client: 'ws' },
    ],
    (config) => config.fanout,
  ),
  fanoutScenario('fanout-msgpack', FANOUT_MSGPACK, [{ system: 'tidings', client: 'tidings-messagepack' }], (config) => config.fanout),
  // Each system on its own Redis backplane, as its documentation scales it out.
  fanoutScenario(
    'fanout-redis',
    FANOUT_REDIS,
    [
      { system: 'tidings', client: 'tidings-json' },
      { system: 'socket.io', client: 'socket.io' },
    ],
    (config) => config.fanout,
    2,
  ),
  idleMemory,
  latencySweep,
  jobEvents,
  endToEnd,
  connectionsAtScale,
  fanoutScenario('official-client', OFFICIAL_CLIENT, [{ system: 'tidings', client: '@microsoft/signalr' }], (config) => config.official),
];

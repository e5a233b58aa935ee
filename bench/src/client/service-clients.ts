import { HttpTransportType, HubConnectionBuilder, NullLogger } from '@microsoft/signalr';
import { type Socket, io } from 'socket.io-client';
import { EVENT_NAME, HUB_PATH } from '../contract.js';
import { stampIn } from '../service/round-gate.js';
import type { DeliveryStats } from './delivery-stats.js';

/** Which official client library talks to the service under test. */
export type ServiceClientKind = '@microsoft/signalr' | 'socket.io-client';

/** A connection to a service that can watch jobs. */
export interface ServiceClient {
  subscribe(jobId: string): Promise<void>;
  close(): Promise<void>;
}

/** Connections started at once. */
const CONNECT_WAVE = 25;

/** Counts a progress update the bench stamped; snapshots and other updates carry no stamp and are not deliveries. */
function counter(stats: DeliveryStats): (update: { statusMessage?: string | null }) => void {
  return (update) => {
    const sentAtUs = stampIn(update.statusMessage);
    if (sentAtUs !== undefined) stats.deliverStamped(sentAtUs);
  };
}

async function openSignalR(url: string, stats: DeliveryStats): Promise<ServiceClient> {
  const connection = new HubConnectionBuilder()
    .withUrl(`${url}${HUB_PATH}`, { transport: HttpTransportType.WebSockets })
    .configureLogging(NullLogger.instance)
    .build();
  connection.on(EVENT_NAME, counter(stats));
  await connection.start();
  return { subscribe: (jobId) => connection.invoke('SubscribeToJob', jobId), close: () => connection.stop() };
}

async function openSocketIo(url: string, stats: DeliveryStats): Promise<ServiceClient> {
  const socket: Socket = io(url, { transports: ['websocket'], reconnection: false });
  socket.on(EVENT_NAME, counter(stats));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return {
    subscribe: async (jobId) => {
      await socket.emitWithAck('subscribeToJob', jobId);
    },
    close: async () => {
      socket.disconnect();
    },
  };
}

/** Opens `count` connections with the service's official client library, a wave at a time. */
export async function openServiceClients(kind: ServiceClientKind, url: string, count: number, stats: DeliveryStats): Promise<ServiceClient[]> {
  const open = kind === '@microsoft/signalr' ? openSignalR : openSocketIo;
  const clients: ServiceClient[] = [];
  while (clients.length < count) {
    const wave = Math.min(CONNECT_WAVE, count - clients.length);
    clients.push(...(await Promise.all(Array.from({ length: wave }, () => open(url, stats)))));
  }
  return clients;
}

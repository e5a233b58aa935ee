import { HttpTransportType, type HubConnection, HubConnectionBuilder, NullLogger } from '@microsoft/signalr';
import { EVENT_NAME, HUB_PATH, type JobProgressUpdate } from '../contract.js';
import type { DeliveryStats } from './delivery-stats.js';

/** Connections started at once. */
const CONNECT_WAVE = 25;

/** `@microsoft/signalr` clients as an application writes them: negotiate, WebSockets, JSON, SubscribeToJob. */
export async function openOfficialClients(port: number, jobId: string, count: number, stats: DeliveryStats): Promise<HubConnection[]> {
  const onUpdate = (update: JobProgressUpdate): void => stats.deliverDecoded(update);
  const open = async (): Promise<HubConnection> => {
    const connection = new HubConnectionBuilder()
      .withUrl(`http://127.0.0.1:${port}${HUB_PATH}`, { transport: HttpTransportType.WebSockets })
      .configureLogging(NullLogger.instance)
      .build();
    connection.on(EVENT_NAME, onUpdate);
    await connection.start();
    await connection.invoke('SubscribeToJob', jobId);
    return connection;
  };
  const connections: HubConnection[] = [];
  while (connections.length < count) {
    const wave = Math.min(CONNECT_WAVE, count - connections.length);
    connections.push(...(await Promise.all(Array.from({ length: wave }, open))));
  }
  return connections;
}

/**
 * `@microsoft/signalr` in the dashboard's bundle: the official browser
 * client that index.html loads from the service (`/lib/signalr/signalr.min.js`,
 * served from node_modules), which defines the global `signalR`.
 */
import type * as SignalR from '@microsoft/signalr';

const official = (globalThis as { signalR?: typeof SignalR }).signalR;
if (!official) throw new Error('The SignalR browser client did not load: /lib/signalr/signalr.min.js is missing.');

export const { HubConnectionBuilder, HubConnectionState, HttpTransportType, LogLevel } = official;

import { createRequire } from 'node:module';
import type { HttpConnection as HttpConnectionType } from '@microsoft/signalr/dist/esm/HttpConnection.js';

// The official client's HttpConnection (the connection under HubConnection) is
// not re-exported from the package index; its CommonJS build is loaded directly.
const require = createRequire(import.meta.url);
const loaded = require('@microsoft/signalr/dist/cjs/HttpConnection.js') as { HttpConnection: typeof HttpConnectionType };

export const HttpConnection = loaded.HttpConnection;
export type HttpConnection = HttpConnectionType;

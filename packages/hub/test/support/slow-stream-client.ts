// An official-client process for the backpressure test: streams CountTo(n) and
// prints "started" once items flow, then "received <count>" at the end. The test
// freezes this process (SIGSTOP) to make it a slow consumer.
import * as signalR from '@microsoft/signalr';

const [url, count] = process.argv.slice(2);
const connection = new signalR.HubConnectionBuilder()
  .withUrl(url!, { transport: signalR.HttpTransportType.WebSockets })
  .withServerTimeout(120_000)
  .configureLogging(signalR.NullLogger.instance)
  .build();
await connection.start();
let received = 0;
let last = 0;
let ordered = true;
await new Promise<void>((resolve, reject) => {
  connection.stream<number>('CountTo', Number(count)).subscribe({
    next(item) {
      if (item !== last + 1) ordered = false;
      last = item;
      received++;
      if (received === 1000) process.stdout.write('started\n');
    },
    complete: () => resolve(),
    error: (err) => reject(err),
  });
});
process.stdout.write(`received ${ordered ? received : -1}\n`);
await connection.stop();

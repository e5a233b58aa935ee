import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { systemTextJsonDate } from '../src/protocol/json-date.js';
import { type TestServer, startHubs } from './support/server.js';
import { NEGOTIATED_CASES, collectStream, connect, record } from './support/signalr.js';
import { waitFor } from './support/wait.js';

function utc(year: number, month: number, day: number, h = 0, m = 0, s = 0, ms = 0): Date {
  const date = new Date(Date.UTC(2000, month - 1, day, h, m, s, ms));
  date.setUTCFullYear(year); // Date.UTC maps years 0–99 to 1900–1999
  return date;
}

/**
 * Each date with the string System.Text.Json writes for the same UTC DateTime
 * (JsonWriterHelper.TrimDateTimeOffset: the round-trip "O" form, the fraction
 * trimmed of trailing zeros and left out when zero).
 */
const SYSTEM_TEXT_JSON: readonly [Date, string][] = [
  [utc(2000, 1, 1), '2000-01-01T00:00:00Z'],
  [utc(1970, 1, 1), '1970-01-01T00:00:00Z'],
  [utc(2017, 6, 12, 5, 30, 45, 768), '2017-06-12T05:30:45.768Z'],
  [utc(2017, 6, 12, 5, 30, 45, 120), '2017-06-12T05:30:45.12Z'],
  [utc(2017, 6, 12, 5, 30, 45, 100), '2017-06-12T05:30:45.1Z'],
  [utc(2017, 6, 12, 5, 30, 45, 10), '2017-06-12T05:30:45.01Z'],
  [utc(2017, 6, 12, 5, 30, 45, 7), '2017-06-12T05:30:45.007Z'],
  [utc(1, 1, 1), '0001-01-01T00:00:00Z'],
  [utc(9999, 12, 31, 23, 59, 59, 999), '9999-12-31T23:59:59.999Z'],
];
const DATES = SYSTEM_TEXT_JSON.map(([date]) => date);
const EXPECTED = SYSTEM_TEXT_JSON.map(([, text]) => text);

class DateHub extends Hub {
  @hubMethod({})
  dates(): Date[] {
    return DATES;
  }

  @hubMethod({})
  one(): Date {
    return DATES[2]!;
  }

  @hubMethod({})
  async sendDates(): Promise<void> {
    await this.clients.caller.send('Dates', ...DATES);
  }

  @hubMethod({})
  async *streamDates(): AsyncGenerator<Date> {
    yield* DATES;
  }
}

describe('dates as System.Text.Json writes them', () => {
  let server: TestServer;

  before(async () => {
    server = await startHubs((hubs) => hubs.mapHub('/dates', DateHub));
  });
  after(() => server.close());

  it('formats like System.Text.Json, and passes other strings through', () => {
    assert.deepEqual(DATES.map((d) => systemTextJsonDate(d.toISOString())), EXPECTED);
    assert.equal(systemTextJsonDate('+275760-09-13T00:00:00.000Z'), '+275760-09-13T00:00:00.000Z');
  });

  for (const clientCase of NEGOTIATED_CASES.filter((c) => c.transport === NEGOTIATED_CASES[0]!.transport || c.protocol === 'json')) {
    it(`in results, arguments and stream items (${clientCase.name})`, async () => {
      const connection = await connect(`${server.url}/dates`, clientCase);
      try {
        const received = record<unknown>(connection, 'Dates');
        const calls: unknown[][] = [];
        connection.on('Dates', (...args: unknown[]) => calls.push(args));
        const result = await connection.invoke<unknown[]>('Dates');
        const single = await connection.invoke<unknown>('One');
        await connection.invoke('SendDates');
        await waitFor(() => received.length === 1, 5000, 'the Dates call');
        const streamed = await collectStream(connection.stream<unknown>('StreamDates'));
        if (clientCase.protocol === 'json') {
          assert.deepEqual(result, EXPECTED);
          assert.equal(single, EXPECTED[2]);
          assert.deepEqual(calls[0], EXPECTED);
          assert.deepEqual(streamed, EXPECTED);
        } else {
          // MessagePack keeps the timestamp extension, which the official client reads as Date.
          const times = DATES.map((d) => d.getTime());
          assert.deepEqual((result as Date[]).map((d) => d.getTime()), times);
          assert.equal((single as Date).getTime(), times[2]);
          assert.deepEqual((calls[0] as Date[]).map((d) => d.getTime()), times);
          assert.deepEqual((streamed as Date[]).map((d) => d.getTime()), times);
        }
      } finally {
        await connection.stop();
      }
    });
  }
});

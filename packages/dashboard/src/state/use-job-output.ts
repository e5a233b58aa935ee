import type { JobProgressClient } from '@tidings/client';
import { useEffect, useMemo, useState } from 'react';
import { coalesced } from './coalesced-refresh.js';

/** One item a job wrote (`ctx.output`), or the marker where its output was cut (`truncated`). */
export interface OutputLine {
  readonly sequence: number;
  readonly at: string;
  readonly stream: string;
  readonly data: unknown;
  readonly truncated: boolean;
}

/** An event of the job's REST history, as far as output goes. */
interface HistoryEvent {
  readonly sequence: number;
  readonly kind: string;
  readonly at: string;
  readonly output?: { readonly stream: string; readonly data: unknown };
}

const PAGE = 1000;

/**
 * A job's output as it is written: read from its event history
 * (`GET /api/v1/jobs/:id/events?after=`, where output items are events in the
 * job's sequence order) when the detail opens, then again from the last
 * sequence read on each of its live hub events (`JobOutput` and the others,
 * which the detail's subscription brings) and on reconnecting — so nothing is
 * read twice and nothing is missed across a drop.
 */
export function useJobOutput(client: JobProgressClient, jobId: string, online: boolean): readonly OutputLine[] {
  const [lines, setLines] = useState<readonly OutputLine[]>([]);
  const read = useMemo(() => {
    let after = 0;
    return coalesced(async (id) => {
      for (;;) {
        const page = (await client.api.getJobEvents(id, after, PAGE)) as unknown as { events: HistoryEvent[] };
        const found: OutputLine[] = [];
        for (const event of page.events) {
          after = Math.max(after, event.sequence);
          if (event.output) {
            found.push({ sequence: event.sequence, at: event.at, stream: event.output.stream, data: event.output.data, truncated: event.kind === 'outputTruncated' });
          }
        }
        if (found.length > 0) setLines((current) => [...current, ...found]);
        if (page.events.length < PAGE) return;
      }
    });
  }, [client]);

  useEffect(() => {
    setLines([]);
  }, [jobId]);
  useEffect(() => {
    if (!online) return;
    read(jobId);
    const offOutput = client.onJobOutput((output) => output.jobId === jobId && read(jobId));
    const offEvent = client.onJobEvent((event) => event.jobId === jobId && read(jobId));
    return () => {
      offOutput();
      offEvent();
    };
  }, [client, jobId, read, online]);
  return lines;
}

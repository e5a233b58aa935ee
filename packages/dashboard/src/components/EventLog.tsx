import type { JobEvent } from '@tidings/contract';
import { clockTime } from '../format.js';

const SHOWN = 300;

function describe(event: JobEvent): { time: string; status: string; progress: string; text: string } {
  switch (event.type) {
    case 'JobProgressUpdate': {
      const u = event.payload;
      const text = [u.currentStage, u.statusMessage].filter(Boolean).join(' — ');
      return { time: u.updatedAt, status: u.status, progress: `${Math.round(u.progress)}%`, text: u.errorMessage ? `${text} (${u.errorMessage})` : text };
    }
    case 'JobCompleted':
      return { time: event.payload.completedAt, status: 'Completed', progress: '100%', text: event.payload.message };
    case 'JobFailed':
      return { time: event.payload.failedAt, status: 'Failed', progress: '', text: event.payload.error };
  }
}

/** The job's events, newest first, each with its sequence: what subscribers were sent. */
export function EventLog({ events }: { readonly events: readonly JobEvent[] }) {
  const newestFirst = events.slice(-SHOWN).reverse();
  return (
    <div className="event-log" role="log" aria-label="Event log">
      {events.length > SHOWN && <p className="hint">Showing the last {SHOWN} of {events.length} events.</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">Stage and message</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((event) => {
            const line = describe(event);
            return (
              <tr key={event.sequence} className={`event event-${event.type}`}>
                <td className="mono">{event.sequence}</td>
                <td className="mono">{clockTime(line.time)}</td>
                <td>{event.type}</td>
                <td>{line.status}</td>
                <td className="mono">{line.progress}</td>
                <td>{line.text}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

import { JOB_STATUSES } from '../statuses.js';
import { clockTime, formatDuration } from '../format.js';
import type { ServiceStats } from '../state/use-stats.js';
import { ThroughputChart } from './ThroughputChart.js';

/** OpenTelemetry's transport names, as /metrics labels them, the way people say them. */
const TRANSPORTS: Readonly<Record<string, string>> = { web_sockets: 'WebSockets', server_sent_events: 'SSE', long_polling: 'Long polling' };

function wait(ms: number | null): string {
  return ms === null ? '—' : ms < 1000 ? `${ms} ms` : formatDuration(ms);
}

/** The operators' overview: jobs by status, the last hour's throughput, the queue, connections, and the cluster's nodes. */
export function Overview({ stats, error }: { readonly stats: ServiceStats | null; readonly error: string | null }) {
  return (
    <section className="card overview" aria-labelledby="overview-heading">
      <h2 id="overview-heading">Overview</h2>
      {error && <p className="form-error">Stats: {error}</p>}
      {!stats ? (
        <p className="hint">Loading the service's numbers…</p>
      ) : (
        <>
          <dl className="tiles" aria-label="Jobs by status">
            {JOB_STATUSES.map((status) => (
              <div key={status} className={`tile tile-${status.toLowerCase()}`} data-status={status}>
                <dt>{status}</dt>
                <dd className="mono">
                  {stats.jobs.byStatus[status]}
                  {stats.jobs.capped ? '+' : ''}
                </dd>
              </div>
            ))}
          </dl>
          <ThroughputChart minutes={stats.throughput.minutes} />
          <div className="overview-facts">
            <dl className="facts" aria-label="Queue">
              <dt>Running</dt>
              <dd className="mono">{stats.queue.running}</dd>
              <dt>Queued</dt>
              <dd className="mono">
                {stats.queue.queued}
                {stats.queue.delayed > 0 ? ` (+${stats.queue.delayed} delayed)` : ''}
              </dd>
              <dt>Longest wait now</dt>
              <dd className="mono">{wait(stats.queue.oldestWaitingMs)}</dd>
              <dt>Mean wait, last hour</dt>
              <dd className="mono">{wait(stats.queue.meanWaitMs)}</dd>
              <dt>Events stored</dt>
              <dd className="mono">{stats.events.stored}</dd>
            </dl>
            <table className="small-table" aria-label="Connections per hub">
              <thead>
                <tr>
                  <th scope="col">Hub</th>
                  <th scope="col">Connections{stats.cluster ? ' (this node)' : ''}</th>
                  <th scope="col">By transport</th>
                </tr>
              </thead>
              <tbody>
                {stats.hubs.map((hub) => (
                  <tr key={hub.path}>
                    <td className="mono">{hub.path}</td>
                    <td className="mono">{hub.connections}</td>
                    <td className="mono" data-testid={`transports ${hub.path}`}>
                      {Object.entries(hub.transports)
                        .map(([transport, n]) => `${TRANSPORTS[transport] ?? transport} ${n}`)
                        .join(', ') || '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {stats.cluster && (
            <div className="overview-facts">
              <table className="small-table" aria-label="API nodes">
                <thead>
                  <tr>
                    <th scope="col">API node</th>
                    <th scope="col">Connections</th>
                    <th scope="col">Last heartbeat</th>
                  </tr>
                </thead>
                <tbody>
                  {stats.cluster.nodes.map((node) => (
                    <tr key={node.nodeId}>
                      <td className="mono">
                        {node.nodeId}
                        {node.nodeId === stats.cluster?.nodeId ? ' (this one)' : ''}
                      </td>
                      <td className="mono">{node.connections}</td>
                      <td className="mono">{clockTime(node.lastHeartbeatAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <table className="small-table" aria-label="Workers">
                <thead>
                  <tr>
                    <th scope="col">Worker</th>
                    <th scope="col">Last seen</th>
                  </tr>
                </thead>
                <tbody>
                  {stats.cluster.workers.length === 0 ? (
                    <tr>
                      <td colSpan={2} className="hint">
                        No worker is connected: jobs wait in the queue.
                      </td>
                    </tr>
                  ) : (
                    stats.cluster.workers.map((worker, i) => (
                      <tr key={`${worker.name}-${i}`}>
                        <td className="mono">{worker.name}</td>
                        <td className="mono">{clockTime(worker.lastSeenAt)}</td>
                      </tr>
                    ))
                  )}
                </tbody>
              </table>
            </div>
          )}
          <p className="muted">As of {clockTime(stats.at)}.</p>
        </>
      )}
    </section>
  );
}

import type { StageProgress } from '@tidings/contract';
import { clockTime, elapsed } from '../format.js';
import { JobProgress } from './JobProgress.js';
import { StatusBadge } from './StatusBadge.js';

/** A job's stages (a pipeline's steps) in order, each with its status, progress and times. */
export function StageTimeline({ stages, now }: { readonly stages: readonly StageProgress[]; readonly now: number }) {
  if (stages.length === 0) return <p className="hint">This job reports no stages.</p>;
  return (
    <ol className="timeline" aria-label="Stage timeline">
      {stages.map((stage) => (
        <li key={stage.name} className={`timeline-stage stage-${stage.status.toLowerCase()}`}>
          <div className="timeline-head">
            <strong>{stage.name}</strong>
            <StatusBadge status={stage.status} />
          </div>
          <JobProgress value={stage.progress} status={stage.status} label={`Stage ${stage.name}`} />
          <div className="muted mono">
            {stage.startedAt ? `started ${clockTime(stage.startedAt)}` : 'not started'}
            {stage.completedAt ? ` · ended ${clockTime(stage.completedAt)}` : ''}
            {stage.startedAt ? ` · ${elapsed(stage.startedAt, stage.completedAt, now)}` : ''}
          </div>
          {stage.errorMessage && <div className="form-error">{stage.errorMessage}</div>}
        </li>
      ))}
    </ol>
  );
}

import type { CSSProperties } from 'react';

export interface ProgressBarProps {
  /** 0–100. */
  readonly value: number;
  /** What the bar measures, for screen readers (a progress bar needs a name). Default "Progress". */
  readonly label?: string;
  readonly className?: string;
  /** Shown in the bar; default the rounded percentage. */
  readonly text?: string;
}

const track: CSSProperties = { position: 'relative', height: '1.25rem', borderRadius: '0.375rem', background: '#e5e7eb', overflow: 'hidden' };
const fillBase: CSSProperties = { height: '100%', background: '#16a34a', transition: 'width 0.3s ease' };
const caption: CSSProperties = { position: 'absolute', inset: 0, display: 'flex', alignItems: 'center', justifyContent: 'center', fontSize: '0.75rem', fontVariantNumeric: 'tabular-nums' };

/** An accessible progress bar (`role="progressbar"`, `aria-valuenow` rounded to a whole percent). */
export function ProgressBar({ value, label = 'Progress', className, text }: ProgressBarProps) {
  const percent = Math.round(Math.min(100, Math.max(0, Number.isFinite(value) ? value : 0)));
  return (
    <div
      role="progressbar"
      aria-valuenow={percent}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-label={label}
      className={className ? `tidings-progress ${className}` : 'tidings-progress'}
      style={track}
    >
      <div className="tidings-progress-fill" style={{ ...fillBase, width: `${percent}%` }} />
      <span className="tidings-progress-text" style={caption}>
        {text ?? `${percent}%`}
      </span>
    </div>
  );
}

import { useEffect, useRef } from 'react';
import { clockTime } from '../format.js';
import type { OutputLine } from '../state/use-job-output.js';

function text(data: unknown): string {
  return typeof data === 'string' ? data : JSON.stringify(data);
}

/** The job's output, oldest first, following the end as lines arrive (unless you scrolled up to read). */
export function OutputLog({ lines }: { readonly lines: readonly OutputLine[] }) {
  const box = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const element = box.current;
    if (element && pinned.current) element.scrollTop = element.scrollHeight;
  }, [lines]);
  if (lines.length === 0) return <p className="hint">No output yet.</p>;
  const streams = new Set(lines.map((line) => line.stream));
  return (
    <pre
      className="output-log"
      role="log"
      aria-label="Output"
      ref={box}
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {lines.map((line) => (
        <div key={line.sequence} className={line.truncated ? 'output-line output-marker' : 'output-line'} data-sequence={line.sequence} title={clockTime(line.at)}>
          {streams.size > 1 && <span className="output-stream">[{line.stream}] </span>}
          {text(line.data)}
        </div>
      ))}
    </pre>
  );
}

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ServiceStats } from '../state/use-stats.js';

type Minutes = ServiceStats['throughput']['minutes'];

function columns(minutes: Minutes): uPlot.AlignedData {
  return [minutes.map((m) => Date.parse(m.at) / 1000), minutes.map((m) => m.completed), minutes.map((m) => m.failed)];
}

const HEIGHT = 180;

/** Jobs completed and failed per minute over the last hour (uPlot, bundled with the page). */
export function ThroughputChart({ minutes }: { readonly minutes: Minutes }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = box.current!;
    const chart = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height: HEIGHT,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.2))] } },
        axes: [{}, { size: 36, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
        series: [
          {},
          { label: 'Completed', stroke: '#16a34a', fill: 'rgba(22,163,74,0.12)', width: 2, points: { show: false } },
          { label: 'Failed', stroke: '#dc2626', fill: 'rgba(220,38,38,0.12)', width: 2, points: { show: false } },
        ],
      },
      columns([]),
      element,
    );
    plot.current = chart;
    // The chart follows its card's width (a phone in portrait, a resized window).
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, element.clientWidth), height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(columns(minutes));
  }, [minutes]);

  const total = minutes.reduce((sum, m) => ({ completed: sum.completed + m.completed, failed: sum.failed + m.failed }), { completed: 0, failed: 0 });
  return (
    <figure className="chart" aria-label="Completed and failed per minute">
      <div ref={box} className="chart-canvas" />
      <figcaption className="muted">
        Last hour: <span data-testid="completed-last-hour">{total.completed}</span> completed, <span data-testid="failed-last-hour">{total.failed}</span> failed
        (per minute; pipeline steps count as jobs).
      </figcaption>
    </figure>
  );
}

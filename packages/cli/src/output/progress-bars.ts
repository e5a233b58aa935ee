import type { Job, JobEvent, JobOutput } from '@tidings/client';
import cliProgress, { type MultiBar, type Options, type Params, type SingleBar } from 'cli-progress';
import { type WatchDisplay, describeEvent, outputText } from './watch-display.js';

interface BarPayload {
  readonly name: string;
  readonly detail: string;
}

/**
 * A terminal display: one bar for the whole job and one per stage (a
 * pipeline's steps), redrawn in place as events arrive.
 */
export class ProgressBars implements WatchDisplay {
  private readonly bars: MultiBar;
  private readonly overall: SingleBar;
  private readonly stageBars = new Map<string, SingleBar>();
  private nameWidth = 'overall'.length;
  private last: { status: string; stage: string | null; progress: number } = { status: 'Pending', stage: null, progress: 0 };
  private stopped = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    title: string,
  ) {
    this.bars = new cliProgress.MultiBar({
      stream: stream as Options['stream'],
      format: (options, params, payload: BarPayload) => this.line(options, params, payload),
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      emptyOnZero: true,
      barCompleteChar: '█',
      barIncompleteChar: '░',
    });
    this.bars.log(`${title}\n`);
    this.overall = this.bars.create(100, 0, { name: 'overall', detail: 'Pending' } satisfies BarPayload);
  }

  event(event: JobEvent): void {
    const { status, progress, stage } = describeEvent(event);
    this.last = { status, stage: stage ?? (status === 'Completed' ? null : this.last.stage), progress: progress ?? this.last.progress };
    this.overall.update(this.last.progress, { name: 'overall', detail: [status, this.last.stage].filter(Boolean).join('  ') } satisfies BarPayload);
  }

  /** The job's output scrolls as plain lines above the bars (cli-progress's log area), so the bars stay put at the bottom. */
  output(item: JobOutput): void {
    const line = `${item.stream === 'log' ? '' : `[${item.stream}] `}${outputText(item)}\n`;
    if (this.stopped) this.stream.write(line);
    else this.bars.log(line);
  }

  stages(job: Job): void {
    if (this.stopped) return; // a read that lands late: a new bar would start the drawing again
    for (const stage of job.stages) {
      this.nameWidth = Math.max(this.nameWidth, stage.name.length);
      const payload: BarPayload = { name: stage.name, detail: stage.status };
      const bar = this.stageBars.get(stage.name);
      if (bar) bar.update(stage.progress, payload);
      else this.stageBars.set(stage.name, this.bars.create(100, stage.progress, payload));
    }
  }

  note(text: string): void {
    if (this.stopped) this.stream.write(`${text}\n`);
    else this.bars.log(`${text}\n`); // shown above the bars at their next redraw
  }

  finish(summary: string): void {
    this.close();
    this.stream.write(`${summary}\n`);
  }

  /** Stops the redraw timer (it would keep the process alive) and shows the cursor again. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bars.update(); // cli-progress's stop() drops log lines not yet drawn: the job's last output lines among them
    this.bars.stop();
  }

  private line(options: Options, params: Params, payload: BarPayload): string {
    const bar = cliProgress.Format.BarFormat(params.progress, options);
    const percent = `${Math.round(params.progress * 100)}%`.padStart(4);
    return `  ${payload.name.padEnd(this.nameWidth)}  ${bar} ${percent}  ${payload.detail}`;
  }
}

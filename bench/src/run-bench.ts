import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchConfig } from './config.js';
import { type BenchReport, computeRatios, describeMachine, renderMarkdown } from './report.js';
import type { Log, Scenario, ScenarioResult } from './scenarios/scenario.js';

export interface BenchRun {
  readonly config: BenchConfig;
  readonly scenarios: readonly Scenario[];
  /** Only these systems; all when undefined. */
  readonly systems?: readonly string[];
  readonly outDir: string;
  readonly log: Log;
}

/** Runs the scenarios one after another and writes `latest.json` and `latest.md` to `outDir`. */
export async function runBench({ config, scenarios, systems, outDir, log }: BenchRun): Promise<BenchReport> {
  const wants = (system: string): boolean => systems === undefined || systems.includes(system);
  const machine = describeMachine();
  const startedAt = new Date();
  const rows: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    log(`${scenario.name}`);
    rows.push(...(await scenario.run({ config, log, wants, earlier: rows })));
  }
  const report: BenchReport = {
    machine,
    startedAt: startedAt.toISOString(),
    durationSec: Math.round((Date.now() - startedAt.getTime()) / 1000),
    config,
    scenarios: rows,
    ratios: computeRatios(rows),
  };
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(outDir, 'latest.md'), renderMarkdown(report));
  return report;
}

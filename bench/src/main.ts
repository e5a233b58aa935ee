import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FULL_RUN, SMOKE_RUN } from './config.js';
import { renderMarkdown } from './report.js';
import { runBench } from './run-bench.js';
import { SCENARIOS } from './scenarios/index.js';
import { JOB_SYSTEM_NAMES } from './jobs/job-bench.js';
import { SERVICE_STACK_NAMES } from './service/service-stack.js';
import { SYSTEM_NAMES } from './server/system.js';

const ALL_SYSTEMS = [...SYSTEM_NAMES, ...JOB_SYSTEM_NAMES, ...SERVICE_STACK_NAMES];

const USAGE = `npm run bench [-- --smoke] [--only fanout,memory,…] [--systems tidings,…] [--out DIR]
  --smoke    tiny sizes: proves every scenario runs, measures nothing
  --only     scenario ids: ${SCENARIOS.map((s) => s.id).join(', ')}
  --systems  ${ALL_SYSTEMS.join(', ')}
  --out      where latest.json and latest.md go (default bench/results)`;

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    systems: { type: 'string' },
    out: { type: 'string', default: fileURLToPath(new URL('../results', import.meta.url)) },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

/** The comma-separated values of an option, each checked against what it may be. */
function listOption<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((item) => item.trim());
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (unknown.length > 0) {
    console.error(`Unknown ${what}: ${unknown.join(', ')}\n${USAGE}`);
    process.exit(2);
  }
  return items as T[];
}

const startedAt = performance.now();
const only = listOption(values.only, SCENARIOS.map((s) => s.id), 'scenario');
const report = await runBench({
  config: values.smoke ? SMOKE_RUN : FULL_RUN,
  scenarios: only ? SCENARIOS.filter((s) => only.includes(s.id)) : SCENARIOS,
  systems: listOption(values.systems, ALL_SYSTEMS, 'system'),
  outDir: values.out,
  log: (line) => console.log(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${line}`),
});
console.log(`\n${renderMarkdown(report)}`);
console.log(`Wrote ${values.out}/latest.json and latest.md`);

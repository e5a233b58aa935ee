// `tidings`: run the service, start jobs, watch them, list them.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ingestCommand } from './commands/ingest.js';
import { jobsCommand } from './commands/jobs.js';
import { submitCommand } from './commands/submit.js';
import { watchCommand } from './commands/watch.js';
import { CommandError, EXIT } from './exit-codes.js';
import { DEFAULT_URL, type ServiceOptions } from './service-options.js';

const STATUSES = ['Pending', 'Running', 'Completed', 'Failed', 'Cancelled'] as const;
const PRIORITIES = ['Low', 'Normal', 'High', 'Critical'] as const;

function integer(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    return parsed;
  };
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive number.');
  return parsed;
}

const program = new Command('tidings')
  .description('Real-time job progress over SignalR: run the service, start jobs and watch them.')
  .addOption(new Option('--url <url>', 'the service').env('TIDINGS_URL').default(DEFAULT_URL))
  .addOption(new Option('--token <jwt>', 'bearer token (needed when the service has JWT_SECRET)').env('TIDINGS_TOKEN'))
  .showHelpAfterError()
  .exitOverride();

const service = (): ServiceOptions => {
  const { url, token } = program.opts<{ url: string; token?: string }>();
  return { url: url.replace(/\/+$/, ''), ...(token ? { token } : {}) };
};

let exitCode: number = EXIT.ok;

program
  .command('serve')
  .description('run the service here (configured by the same environment as npm start; flags win)')
  .option('-p, --port <port>', 'port (PORT)', integer(0, 65535))
  .option('--host <host>', 'interface (HOST)')
  .option('--data-dir <dir>', 'where the SQLite file lives (DATA_DIR)')
  .option('--demo-speed <factor>', 'how much faster than real time the simulated pipeline runs (DEMO_SPEED)', positiveNumber)
  .option('--demo', 'start three demo videos once listening (development mode)')
  .action(async (options: { port?: number; host?: string; dataDir?: string; demoSpeed?: number; demo?: boolean }) => {
    // Loaded only here: the other commands start faster without the whole service.
    const { serveCommand } = await import('./commands/serve.js');
    await serveCommand(options);
  });

program
  .command('ingest')
  .description("start a video's pipeline (prints the job id when piped)")
  .argument('<url>', 'http(s) URL of the video')
  .option('--title <title>', 'a title to show')
  .addOption(new Option('--priority <priority>', 'queue priority').choices(PRIORITIES))
  .option('--user <userId>', 'owner (development mode only; with a token the owner is you)')
  .option('-w, --watch', 'then watch it until it finishes (exit code as for watch)')
  .option('--json', 'print the full response as JSON')
  .action(async (url: string, options: { title?: string; priority?: (typeof PRIORITIES)[number]; user?: string; watch?: boolean; json?: boolean }) => {
    const response = await ingestCommand(url, { ...service(), ...options }, process.stdout);
    if (options.watch) exitCode = await watchCommand(response.jobId, { ...service(), json: options.json }, stdio());
  });

program
  .command('submit')
  .description('submit a job of any registered type (prints the job id when piped); GET /api/v1/job-types lists them')
  .argument('<type>', 'the job type, e.g. VideoProcessing')
  .option('-i, --input <json>', "the job's input as JSON, checked against the type's schema")
  .option('--tag <tag>', 'a tag to list and follow the job by (repeat for more)', (tag: string, previous: string[] = []) => [...previous, tag])
  .addOption(new Option('--priority <priority>', 'queue priority').choices(PRIORITIES))
  .option('--idempotency-key <key>', 'submitting again with the same key returns the same job')
  .option('-w, --watch', 'then watch it until it finishes (exit code as for watch)')
  .option('--json', 'print the full response as JSON')
  .action(
    async (
      type: string,
      options: { input?: string; tag?: string[]; priority?: (typeof PRIORITIES)[number]; idempotencyKey?: string; watch?: boolean; json?: boolean },
    ) => {
      const response = await submitCommand(type, { ...service(), ...options }, process.stdout);
      if (options.watch) exitCode = await watchCommand(response.job.jobId, { ...service(), json: options.json }, stdio());
    },
  );

program
  .command('watch')
  .description('follow a job until it finishes: exit 0 Completed, 1 Failed, 3 Cancelled')
  .argument('<jobId>', 'the job (for a video, the pipeline job id that ingest prints)')
  .option('--plain', 'one line per event, even on a terminal')
  .option('--json', 'one JSON line per event')
  .action(async (jobId: string, options: { plain?: boolean; json?: boolean }) => {
    exitCode = await watchCommand(jobId, { ...service(), ...options }, stdio());
  });

program
  .command('jobs')
  .description('list the newest jobs (yours when the service uses JWT)')
  .addOption(new Option('--status <status>', 'only jobs in this status').choices(STATUSES))
  .option('--type <jobType>', 'only jobs of this type (VideoProcessing, Transcription…)')
  .option('--user <userId>', "only this user's jobs")
  .option('-n, --limit <n>', 'how many', integer(1, 500), 20)
  .option('-a, --all', 'include the steps of pipelines')
  .option('--json', 'print JSON')
  .action(async (options: { status?: (typeof STATUSES)[number]; type?: string; user?: string; limit: number; all?: boolean; json?: boolean }) => {
    await jobsCommand({ ...service(), ...options }, process.stdout);
  });

function stdio() {
  const interrupted = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  return { stdout: process.stdout, stderr: process.stderr, interrupted };
}

try {
  await program.parseAsync(process.argv);
  process.exitCode = exitCode;
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and --version are not errors; everything else commander rejects is a usage error.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof CommandError) {
    process.stderr.write(`tidings: ${error.message}\n`);
    process.exitCode = error.code;
  } else {
    process.stderr.write(`tidings: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.failed;
  }
}

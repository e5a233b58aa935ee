import type { JsonValue, SubmitJobRequest, SubmitJobResponse } from '@tidings/client';
import { CommandError, EXIT } from '../exit-codes.js';
import { type ServiceOptions, apiFor, unavailable } from '../service-options.js';

export interface SubmitOptions extends ServiceOptions {
  /** The job's input, as JSON text. */
  readonly input?: string;
  readonly tag?: readonly string[];
  readonly priority?: SubmitJobRequest['priority'];
  readonly idempotencyKey?: string;
  readonly json?: boolean;
}

/**
 * `tidings submit <type> --input '{…}'`: a job of any registered type
 * (`POST /api/v1/jobs`). The service checks the input against the type's
 * schema; its 400 is printed as is (exit 2). On a terminal it says how to
 * follow the job; piped, it prints only the job id.
 */
export async function submitCommand(type: string, options: SubmitOptions, out: NodeJS.WritableStream & { readonly isTTY?: boolean }): Promise<SubmitJobResponse> {
  let input: JsonValue = null;
  if (options.input !== undefined) {
    try {
      input = JSON.parse(options.input) as JsonValue;
    } catch (error) {
      throw new CommandError(`--input is not JSON: ${error instanceof Error ? error.message : String(error)}`, EXIT.usage);
    }
  }
  let response: SubmitJobResponse;
  try {
    response = await apiFor(options).submitJob({
      type,
      input,
      ...(options.tag && options.tag.length > 0 ? { tags: options.tag } : {}),
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    });
  } catch (error) {
    throw unavailable(error, options);
  }
  const id = response.job.jobId;
  if (options.json) out.write(`${JSON.stringify(response, null, 2)}\n`);
  else if (out.isTTY) out.write(`${type} job ${id} ${response.job.status === 'Pending' ? 'submitted' : response.job.status}\nFollow it with: tidings watch ${id}\n`);
  else out.write(`${id}\n`);
  return response;
}

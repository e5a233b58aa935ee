import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { JobInputError } from '../errors.js';
import type { JsonValue } from '../model.js';

// ajv-formats is CommonJS: under NodeNext its default import is `module.exports`, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

/**
 * Checks a job's input against its type's JSON Schema before anything is
 * created. Strict on purpose: no type coercion (`"2"` is not a number), no
 * defaults filled in and no unknown properties silently removed, so what the
 * processor gets is exactly what the caller sent. Each schema is compiled
 * once, when its type is registered.
 */
export class InputValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    this.ajv = new Ajv({
      allErrors: true,
      coerceTypes: false,
      removeAdditional: false,
      useDefaults: false,
      // Unknown keywords in a schema are a mistake in the job type: refused when it is registered.
      strict: true,
      // TypeBox and hand-written schemas often leave `type` implicit beside other keywords; that is not an error.
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
    });
    addFormats(this.ajv);
  }

  /** Compiles `schema`, the input schema of `type`; throws if the schema itself is invalid. */
  compile(type: string, schema: object): ValidateFunction {
    try {
      return this.ajv.compile(schema);
    } catch (error) {
      throw new TypeError(`The input schema of job type '${type}' is invalid: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Checks the input of `type` with `validate` from now on (replacing an earlier schema). */
  set(type: string, validate: ValidateFunction): void {
    this.compiled.set(type, validate);
  }

  /** Forgets the schema of `type` (it was redefined without one). */
  remove(type: string): void {
    this.compiled.delete(type);
  }

  /** Throws a JobInputError when `input` breaks the schema of `type`; types without a schema take any JSON. */
  check(type: string, input: JsonValue): void {
    const validate = this.compiled.get(type);
    if (!validate || validate(input)) return;
    const problems = validate.errors ?? [];
    throw new JobInputError(type, this.ajv.errorsText(problems, { dataVar: 'input' }), problems.map((p) => ({ ...p })));
  }
}

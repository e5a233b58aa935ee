import { type FormEvent, type ReactNode, useMemo, useState } from 'react';
import { errorText } from '../format.js';
import { type SchemaField, inputFrom, schemaFields } from '../schema/schema-fields.js';
import type { JobTypeInfo } from '../state/use-job-types.js';
import { type PriorityName, PrioritySelect } from './PrioritySelect.js';


export interface SchemaJobFormProps {
  readonly jobType: JobTypeInfo;
  readonly token: string | null;
  /** The job type chooser, shown in the form's head. */
  readonly typeSelector: ReactNode;
  readonly disabled: boolean;
  readonly onSubmitted: (jobId: string) => void;
}

function Field({ field, value, onChange }: { readonly field: SchemaField; readonly value: string; readonly onChange: (value: string) => void }) {
  const label = `${field.label}${field.required ? '' : ' (optional)'}`;
  const common = { name: field.name, title: field.description, required: field.required && field.kind !== 'boolean' };
  switch (field.kind) {
    case 'boolean':
      return (
        <label className="checkbox">
          <input type="checkbox" name={field.name} checked={value === 'true'} onChange={(e) => onChange(String(e.target.checked))} />
          {label}
        </label>
      );
    case 'choice':
      return (
        <label>
          {label}
          <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
            {field.choices.map((choice) => (
              <option key={JSON.stringify(choice)} value={JSON.stringify(choice)}>
                {String(choice)}
              </option>
            ))}
          </select>
        </label>
      );
    case 'json':
      return (
        <label className="grow">
          {label} (JSON)
          <textarea {...common} rows={3} value={value} onChange={(e) => onChange(e.target.value)} />
        </label>
      );
    default:
      return (
        <label className={field.kind === 'text' || field.kind === 'url' || field.kind === 'string-list' ? 'grow' : undefined}>
          {label}
          <input
            {...common}
            type={field.kind === 'url' ? 'url' : field.kind === 'number' || field.kind === 'integer' ? 'number' : 'text'}
            step={field.kind === 'integer' ? 1 : field.kind === 'number' ? 'any' : undefined}
            placeholder={field.kind === 'string-list' ? 'comma, separated' : undefined}
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        </label>
      );
  }
}

/**
 * Runs a job of any type the service registers (`POST /api/v1/jobs`), its
 * form built from the type's input schema; a type whose input is not an
 * object with properties takes its input as JSON.
 */
export function SchemaJobForm({ jobType, token, typeSelector, disabled, onSubmitted }: SchemaJobFormProps) {
  const fields = useMemo(() => schemaFields(jobType.input), [jobType]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [rawInput, setRawInput] = useState('{}');
  const [tags, setTags] = useState('');
  const [priority, setPriority] = useState<PriorityName>('Normal');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    let input: unknown;
    if (fields) {
      const built = inputFrom(fields, values);
      if ('problem' in built) return setProblem(built.problem);
      input = built.input;
    } else {
      try {
        input = JSON.parse(rawInput) as unknown;
      } catch {
        return setProblem('The input must be JSON.');
      }
    }
    const tagList = tags.split(',').map((t) => t.trim()).filter(Boolean);
    setBusy(true);
    try {
      const response = await fetch('/api/v1/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ type: jobType.name, input, priority, ...(tagList.length ? { tags: tagList } : {}) }),
      });
      const body = (await response.json().catch(() => ({}))) as { job?: { jobId: string }; message?: string };
      if (!response.ok || !body.job) throw new Error(body.message ?? `the service answered ${response.status}`);
      onSubmitted(body.job.jobId);
    } catch (error) {
      setProblem(errorText(error)); // under the form, beside what to fix
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card ingest-form" onSubmit={submit} aria-label={`Run a ${jobType.name} job`}>
      <div className="form-head">
        <h2>Run a job</h2>
        {typeSelector}
      </div>
      <div className="form-row">
        {fields ? (
          fields.map((field) => (
            <Field key={field.name} field={field} value={values[field.name] ?? field.initial} onChange={(v) => setValues((c) => ({ ...c, [field.name]: v }))} />
          ))
        ) : (
          <label className="grow">
            Input (JSON)
            <textarea name="input" rows={4} value={rawInput} onChange={(e) => setRawInput(e.target.value)} />
          </label>
        )}
      </div>
      <div className="form-row">
        <label className="grow">
          Tags
          <input name="tags" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="optional, comma separated" />
        </label>
        <PrioritySelect value={priority} onChange={setPriority} />
      </div>
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" disabled={busy || disabled}>
          Run {jobType.name}
        </button>
      </div>
    </form>
  );
}

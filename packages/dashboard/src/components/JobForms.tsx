import type { IngestVideoResponse } from '@tidings/client';
import { useState } from 'react';
import type { JobTypeInfo } from '../state/use-job-types.js';
import { IngestForm } from './IngestForm.js';
import { SchemaJobForm } from './SchemaJobForm.js';

/** The video pipeline's type: its form is seed 001's ingest form. */
const VIDEO_TYPE = 'VideoProcessing';

export interface JobFormsProps {
  /** The service's job types; null when it has no generic job REST (the video form alone). */
  readonly types: readonly JobTypeInfo[] | null;
  readonly token: string | null;
  readonly askUserId: boolean;
  readonly disabled: boolean;
  readonly onIngested: (response: IngestVideoResponse) => void;
  readonly onSubmitted: (jobId: string, type: string) => void;
  readonly onError: (message: string) => void;
}

/** Start a job: choose its type, then fill the form built from its input schema (`VideoProcessing` keeps the ingest form). */
export function JobForms({ types, token, askUserId, disabled, onIngested, onSubmitted, onError }: JobFormsProps) {
  const [chosen, setChosen] = useState(VIDEO_TYPE);
  const others = types?.filter((t) => t.name !== VIDEO_TYPE) ?? [];
  const selected = others.find((t) => t.name === chosen);
  const typeSelector =
    others.length === 0 ? undefined : (
      <label className="type-select">
        Job type
        <select name="type" value={chosen} onChange={(e) => setChosen(e.target.value)}>
          <option value={VIDEO_TYPE}>{VIDEO_TYPE}</option>
          {others.map((t) => (
            <option key={t.name}>{t.name}</option>
          ))}
        </select>
      </label>
    );
  if (!selected) return <IngestForm askUserId={askUserId} disabled={disabled} onIngested={onIngested} onError={onError} typeSelector={typeSelector} />;
  return (
    <SchemaJobForm
      key={selected.name}
      jobType={selected}
      token={token}
      typeSelector={typeSelector}
      disabled={disabled}
      onSubmitted={(jobId) => onSubmitted(jobId, selected.name)}
    />
  );
}

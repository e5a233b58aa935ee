import { useEffect, useState } from 'react';
import { errorText } from '../format.js';
import type { JsonSchema } from '../schema/schema-fields.js';

/** A job type the service accepts on `POST /api/v1/jobs`, with its input's JSON Schema (`GET /api/v1/job-types`). */
export interface JobTypeInfo {
  readonly name: string;
  readonly input?: JsonSchema;
}

/**
 * The service's job types, read once. `types` is null while loading and
 * when the service has no generic job REST (404): the page offers the video
 * form alone then.
 */
export function useJobTypes(token: string | null): { types: readonly JobTypeInfo[] | null; error: string | null } {
  const [types, setTypes] = useState<readonly JobTypeInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let active = true;
    fetch('/api/v1/job-types', { headers: token ? { authorization: `Bearer ${token}` } : {} })
      .then(async (response) => {
        if (response.status === 404) return null;
        if (!response.ok) throw new Error(`the service answered ${response.status}`);
        return ((await response.json()) as { jobTypes: JobTypeInfo[] }).jobTypes;
      })
      .then(
        (value) => active && setTypes(value),
        (failure: unknown) => active && setError(errorText(failure)),
      );
    return () => {
      active = false;
    };
  }, [token]);
  return { types, error };
}

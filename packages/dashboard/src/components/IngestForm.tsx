import type { IngestVideoResponse } from '@tidings/client';
import { useTidingsClient } from '@tidings/react';
import { type FormEvent, type ReactNode, useState } from 'react';
import { errorText } from '../format.js';
import { type PriorityName, PrioritySelect } from './PrioritySelect.js';

const DEMO_URLS = ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'https://www.youtube.com/watch?v=9bZkp7q19f0', 'https://www.youtube.com/watch?v=kJQP7kiw5Fk'];

export interface IngestFormProps {
  /** In development mode the owner comes from the form, as in seed 001's test page. */
  readonly askUserId: boolean;
  readonly onIngested: (response: IngestVideoResponse) => void;
  readonly onError: (message: string) => void;
  /** Offline: nothing can be sent. */
  readonly disabled?: boolean;
  /** The job type chooser, when the service runs other types too (this form is its `VideoProcessing` case). */
  readonly typeSelector?: ReactNode;
}

/** Seed 001's "Test Video Ingestion": POST /api/v1/videos/ingest, and a button for a few demo videos. */
export function IngestForm({ askUserId, onIngested, onError, disabled = false, typeSelector }: IngestFormProps) {
  const client = useTidingsClient();
  const [url, setUrl] = useState(DEMO_URLS[0]);
  const [title, setTitle] = useState('');
  const [priority, setPriority] = useState<PriorityName>('Normal');
  const [userId, setUserId] = useState('test-user-123');
  const [busy, setBusy] = useState(false);

  const ingest = async (videoUrl: string, videoTitle?: string) => {
    const response = await client.ingestVideo({
      url: videoUrl,
      priority,
      ...(videoTitle ? { title: videoTitle } : {}),
      ...(askUserId && userId.trim() ? { userId: userId.trim() } : {}),
    });
    onIngested(response);
  };
  const run = (work: () => Promise<void>) => {
    setBusy(true);
    work()
      .catch((error: unknown) => onError(`Ingest failed: ${errorText(error)}`))
      .finally(() => setBusy(false));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    run(() => ingest(url.trim(), title.trim()));
  };

  return (
    <form className="card ingest-form" onSubmit={submit} aria-label="Ingest a video">
      <div className="form-head">
        <h2>Ingest a video</h2>
        {typeSelector}
      </div>
      <div className="form-row">
        <label className="grow">
          Video URL
          <input name="url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
        <label>
          Title
          <input name="title" value={title} onChange={(e) => setTitle(e.target.value)} placeholder="optional" />
        </label>
        <PrioritySelect value={priority} onChange={setPriority} />
        {askUserId && (
          <label>
            User
            <input name="userId" value={userId} onChange={(e) => setUserId(e.target.value)} size={14} />
          </label>
        )}
      </div>
      <p className="muted">The demo pipeline is simulated; a URL containing <code>fail</code> fails during transcription, to show a failed job.</p>
      <div className="form-actions">
        <button type="submit" disabled={busy || disabled}>
          Ingest video
        </button>
        <button type="button" className="secondary" disabled={busy || disabled} onClick={() => run(async () => void (await Promise.all(DEMO_URLS.map((u, i) => ingest(u, `Demo video ${i + 1}`)))))}>
          Start 3 demo videos
        </button>
      </div>
    </form>
  );
}

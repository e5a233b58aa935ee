import { TidingsApi } from '@tidings/client';
import { type FormEvent, useState } from 'react';
import { errorText } from '../format.js';
import { tokenUser } from '../state/use-stored-token.js';

export interface TokenPanelProps {
  readonly mode: 'open' | 'jwt';
  readonly token: string | null;
  readonly onToken: (token: string | null) => void;
}

/**
 * Who the page is. With JWT on, the page needs a token to see anything (your
 * jobs only); in development mode it sees every job, and can take a
 * development token to act as a user.
 */
export function TokenPanel({ mode, token, onToken }: TokenPanelProps) {
  const [draft, setDraft] = useState('');
  const [userId, setUserId] = useState('test-user-123');
  const [problem, setProblem] = useState<string | null>(null);

  if (token) {
    return (
      <div className="token-panel">
        <span>
          Signed in as <strong>{tokenUser(token) ?? 'an unnamed user'}</strong>
        </span>
        <button type="button" className="secondary" onClick={() => onToken(null)}>
          Sign out
        </button>
      </div>
    );
  }

  const useToken = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim()) onToken(draft.trim());
  };
  const devToken = async () => {
    setProblem(null);
    try {
      onToken((await new TidingsApi({ baseUrl: window.location.origin }).createDevToken(userId.trim())).token);
    } catch (error) {
      setProblem(errorText(error));
    }
  };

  return (
    <div className="token-panel">
      {mode === 'jwt' ? (
        <form onSubmit={useToken} className="inline-form">
          <label>
            Bearer token <input type="password" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="eyJhbGciOi…" autoComplete="off" />
          </label>
          <button type="submit">Use token</button>
        </form>
      ) : (
        <div className="inline-form">
          <span className="hint">Development mode: every job is shown.</span>
          <label>
            User <input value={userId} onChange={(e) => setUserId(e.target.value)} size={16} />
          </label>
          <button type="button" className="secondary" onClick={devToken} disabled={!userId.trim()}>
            Get a dev token
          </button>
        </div>
      )}
      {problem && (
        <span className="form-error" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}

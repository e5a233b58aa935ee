import { useCallback, useRef, useState } from 'react';

export interface Notice {
  readonly id: number;
  readonly kind: 'info' | 'error';
  readonly text: string;
}

export interface Notices {
  readonly list: readonly Notice[];
  push(kind: Notice['kind'], text: string): void;
  dismiss(id: number): void;
}

/** Short messages (an action's outcome), each gone after a few seconds or when dismissed. */
export function useNotices(lifetimeMs = 6000): Notices {
  const [list, setList] = useState<readonly Notice[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setList((current) => current.filter((n) => n.id !== id)), []);
  const push = useCallback(
    (kind: Notice['kind'], text: string) => {
      const id = nextId.current++;
      setList((current) => [...current.slice(-4), { id, kind, text }]);
      setTimeout(() => dismiss(id), lifetimeMs);
    },
    [dismiss, lifetimeMs],
  );
  return { list, push, dismiss };
}

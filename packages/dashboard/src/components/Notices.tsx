import type { Notices as NoticeList } from '../state/use-notices.js';

export function Notices({ notices }: { readonly notices: NoticeList }) {
  if (notices.list.length === 0) return null;
  return (
    <div className="notices">
      {notices.list.map((notice) => (
        <div key={notice.id} className={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <span>{notice.text}</span>
          <button type="button" className="link-button" aria-label="Dismiss" onClick={() => notices.dismiss(notice.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

// The list of uploads under way, shared by the screens that upload (files, photos, task attachments): one row per
// file with a progress bar named after it and its state in the screen's own words, and a way to
// clear the finished ones.
import { useEffect } from 'react';
import './uploads.css';

/** Leaving the page would cut uploads short: while any row is on its way, the browser asks first. */
export function useWarnBeforeLeaving(rows: readonly { state: string }[]): void {
  const busy = rows.some((row) => row.state === 'waiting' || row.state === 'sending');
  useEffect(() => {
    if (!busy) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    addEventListener('beforeunload', warn);
    return () => removeEventListener('beforeunload', warn);
  }, [busy]);
}

export interface UploadRowView {
  id: number;
  name: string;
  percent: number;
  /** Also the row's class, for the screen's colours. */
  state: string;
}

export function UploadList<R extends UploadRowView>({
  rows,
  headingId,
  describe,
  isFinished,
  onClear,
}: {
  rows: R[];
  /** Unique on the page: the list is labelled by its heading. */
  headingId: string;
  describe: (row: R) => string;
  isFinished: (row: R) => boolean;
  onClear: () => void;
}) {
  if (rows.length === 0) return null;
  return (
    <section className="uploads" aria-labelledby={headingId}>
      <h2 id={headingId}>Uploads</h2>
      <ul aria-label="Uploads">
        {rows.map((row) => (
          <li key={row.id} className={`upload ${row.state}`}>
            <span className="upload-name">{row.name}</span>
            <progress aria-label={row.name} max={100} value={row.percent} />
            <span className="upload-state">{describe(row)}</span>
          </li>
        ))}
      </ul>
      {rows.some(isFinished) && (
        <button type="button" className="link" onClick={onClear}>
          Clear finished uploads
        </button>
      )}
    </section>
  );
}

// The second question before a destructive action (delete a note, a file, revoke a key), asked in
// place rather than in a browser dialog. It is a fieldset whose legend is the question, so screen
// readers announce the question with its answers; focus moves to the confirming answer so keyboard
// users can go on at once. Shared by every screen that deletes something; styled by `.confirm` in
// styles.css, which is always loaded, so no screen depends on another screen's sheet.
import { type ReactNode, useEffect, useRef } from 'react';

export function Confirm({
  question,
  confirm,
  busyLabel = 'Deleting…',
  busy,
  onConfirm,
  onCancel,
  children,
}: {
  /** The legend, which names the group for assistive technology. */
  question: ReactNode;
  /** The confirming button's label. */
  confirm: string;
  /** The confirming button's label while the action runs. */
  busyLabel?: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  /** Anything to show between the question and the answers, such as an error. */
  children?: ReactNode;
}) {
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmButton.current?.focus(), []);
  return (
    <fieldset className="confirm">
      <legend>{question}</legend>
      {children}
      <div className="actions">
        <button type="button" className="danger" ref={confirmButton} disabled={busy} onClick={onConfirm}>
          {busy ? busyLabel : confirm}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </fieldset>
  );
}

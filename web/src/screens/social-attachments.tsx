// The parts the post composer and the story form share: the text field with its live count of
// the characters left (linked to the field, so a screen reader hears the limit with it, and red
// past the limit, where the send button is disabled), and the chosen photos, each with its
// preview, a progress bar named after its file, its state, and a Remove button.
import { useId } from 'react';
import { type Attachment, attachmentStateText } from './social-uploads.ts';

export function CountedText({
  label,
  name,
  value,
  max,
  rows = 3,
  onChange,
}: {
  label: string;
  name: string;
  value: string;
  max: number;
  rows?: number;
  onChange: (value: string) => void;
}) {
  const countId = useId();
  const left = max - value.length;
  return (
    <label className="field counted">
      <span>{label}</span>
      <textarea
        name={name}
        rows={rows}
        value={value}
        aria-describedby={countId}
        aria-invalid={left < 0}
        onChange={(event) => onChange(event.currentTarget.value)}
      />
      <span id={countId} className={left < 0 ? 'hint count over' : 'hint count'}>
        {left >= 0
          ? `${left.toLocaleString()} of ${max.toLocaleString()} characters left`
          : `${(-left).toLocaleString()} ${left === -1 ? 'character' : 'characters'} over the limit of ${max.toLocaleString()}`}
      </span>
    </label>
  );
}

export function AttachmentList({
  attachments,
  label,
  gaveUp,
  onRemove,
}: {
  attachments: Attachment[];
  label: string;
  /** Photo ids still processing after the watch gave up on them. */
  gaveUp: ReadonlySet<string>;
  onRemove: (attachment: Attachment) => void;
}) {
  if (attachments.length === 0) return null;
  return (
    <ul className="attachments" aria-label={label}>
      {attachments.map((attachment) => (
        <li key={attachment.key} className={`attachment ${attachment.state}`}>
          <img src={attachment.preview} alt="" className="attachment-preview" />
          <div className="attachment-body">
            <span className="attachment-name">{attachment.name}</span>
            <progress aria-label={attachment.name} max={100} value={attachment.percent} />
            <span className="attachment-state">
              {attachmentStateText(attachment, !!attachment.photoId && gaveUp.has(attachment.photoId))}
            </span>
          </div>
          <button
            type="button"
            className="icon attachment-remove"
            aria-label={`Remove ${attachment.name}`}
            onClick={() => onRemove(attachment)}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

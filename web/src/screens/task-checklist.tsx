// A task's checklist in the editor: tick, remove, add. Part of the editor's draft, saved with
// the task. The new-item field sits inside the task's form, so Enter in it adds the item rather
// than saving the task; focus stays there for the next item.
import { type KeyboardEvent, useId, useRef, useState } from 'react';
import { type ChecklistDraft, newKey } from './task-draft.ts';

export const CHECKLIST_MAX = 50;

export function Checklist({
  items,
  onChange,
}: {
  items: ChecklistDraft[];
  onChange: (items: ChecklistDraft[]) => void;
}) {
  const headingId = useId();
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const done = items.filter((item) => item.done).length;
  const full = items.length >= CHECKLIST_MAX;

  const add = () => {
    const value = text.trim();
    if (!value || full) return;
    onChange([...items, { key: newKey(), text: value, done: false }]);
    setText('');
    input.current?.focus();
  };
  const onEnter = (event: KeyboardEvent) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    add();
  };
  const update = (key: number, change: Partial<ChecklistDraft>) =>
    onChange(items.map((item) => (item.key === key ? { ...item, ...change } : item)));

  return (
    <section className="editor-section" aria-labelledby={headingId}>
      <h2 id={headingId}>
        Checklist{' '}
        {items.length > 0 && (
          <span className="count">
            {done} of {items.length} done
          </span>
        )}
      </h2>
      {items.length > 0 && (
        <ul className="rows checklist-rows" aria-label="Checklist">
          {items.map((item) => (
            <li key={item.key} className={item.done ? 'done' : undefined}>
              <label className="check">
                <input type="checkbox" checked={item.done} onChange={() => update(item.key, { done: !item.done })} />
                <span>{item.text}</span>
              </label>
              <button
                type="button"
                className="icon"
                aria-label={`Remove checklist item: ${item.text}`}
                onClick={() => onChange(items.filter((i) => i.key !== item.key))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {full ? (
        <p className="hint">A checklist can have {CHECKLIST_MAX} items.</p>
      ) : (
        <div className="add">
          <label className="visually-hidden" htmlFor={inputId}>
            New checklist item
          </label>
          <input
            id={inputId}
            ref={input}
            type="text"
            value={text}
            maxLength={200}
            placeholder="Add an item"
            autoComplete="off"
            onChange={(event) => setText(event.target.value)}
            onKeyDown={onEnter}
          />
          <button type="button" className="secondary" onClick={add}>
            Add item
          </button>
        </div>
      )}
    </section>
  );
}

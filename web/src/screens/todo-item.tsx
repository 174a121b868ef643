// One to-do in the list, and its editor: tick it, open it to change the title, due date, tags
// and notes, delete it. A to-do added offline shows as waiting until it is sent.
import { type FormEvent, useState } from 'react';
import { errorText, type Todo } from '../api.ts';
import { session } from '../session.ts';
import { parseTags, TagList, TagsField } from '../tags.tsx';

export type ShownTodo = Todo & { queued?: boolean };

const today = () => new Date().toLocaleDateString('en-CA'); // YYYY-MM-DD, in the user's time zone

export function TodoItem({
  todo,
  onToggle,
  onEdit,
  onDelete,
  onTag,
}: {
  todo: ShownTodo;
  onToggle: () => void;
  onEdit: () => void;
  onDelete: () => void;
  onTag: (tag: string) => void;
}) {
  const overdue = !todo.done && todo.dueDate !== undefined && todo.dueDate < today();
  return (
    <li className={todo.done ? 'done' : undefined}>
      <input type="checkbox" aria-label={todo.title} checked={todo.done} disabled={todo.queued} onChange={onToggle} />
      <div className="todo-body">
        <button type="button" className="todo-title" onClick={onEdit} disabled={todo.queued}>
          {todo.title}
        </button>
        <div className="todo-meta">
          {todo.queued && <span>Waiting for the connection to send</span>}
          {todo.dueDate && (
            <time dateTime={todo.dueDate} className={overdue ? 'overdue' : undefined}>
              {overdue ? 'Overdue: ' : 'Due '}
              {todo.dueDate}
            </time>
          )}
          <TagList tags={todo.tags} onSelect={onTag} />
        </div>
      </div>
      <button type="button" className="icon" aria-label={`Delete ${todo.title}`} onClick={onDelete}>
        ×
      </button>
    </li>
  );
}

/** Changes a to-do; sends only what changed, with the version it was read at (If-Match). */
export function TodoEditor({
  todo,
  onSaved,
  onCancel,
}: {
  todo: Todo;
  onSaved: (todo: Todo) => void;
  onCancel: () => void;
}) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const dueDate = String(data.get('dueDate') ?? '');
    const notes = String(data.get('notes') ?? '');
    const change = {
      title: String(data.get('title') ?? '').trim(),
      dueDate: dueDate === '' ? null : dueDate,
      tags: parseTags(String(data.get('tags') ?? '')),
      notes: notes === '' ? null : notes,
    };
    setBusy(true);
    try {
      onSaved(
        await session.call<Todo>(`/v1/todos/${todo.id}`, {
          method: 'PATCH',
          body: change,
          headers: { 'if-match': `"${todo.version}"` },
        }),
      );
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  };

  return (
    <li>
      <form className="todo-editor" aria-label={`Edit ${todo.title}`} onSubmit={save}>
        <label className="field">
          <span>Title</span>
          <input name="title" defaultValue={todo.title} required maxLength={500} />
        </label>
        <label className="field">
          <span>Due date</span>
          <input name="dueDate" type="date" defaultValue={todo.dueDate ?? ''} />
        </label>
        <TagsField defaultValue={todo.tags} />
        <label className="field">
          <span>Notes</span>
          <textarea name="notes" defaultValue={todo.notes ?? ''} rows={3} />
        </label>
        <p role="alert" className="error">
          {error}
        </p>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </li>
  );
}

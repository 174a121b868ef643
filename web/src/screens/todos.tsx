// The to-do list: add in one keystroke (Enter), tick done, delete with undo, filter by done.
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, type Page, type Todo } from '../api.ts';
import { session } from '../session.ts';

const PAGE = 50;
const UNDO_MS = 5_000;
type Filter = 'all' | 'open' | 'done';

const errorText = (caught: unknown) => (caught instanceof ApiError ? caught.message : 'Something went wrong');

export function Todos() {
  const [todos, setTodos] = useState<Todo[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const [filter, setFilter] = useState<Filter>('all');
  const [pendingDelete, setPendingDelete] = useState<{ todo: Todo; timer: ReturnType<typeof setTimeout> }>();
  const title = useRef<HTMLInputElement>(null);

  const show = (caught: unknown) => setError(errorText(caught));

  const load = useCallback(
    async (after?: string) => {
      setLoading(true);
      try {
        const query = new URLSearchParams({ limit: String(PAGE) });
        if (filter !== 'all') query.set('done', String(filter === 'done'));
        if (after) query.set('cursor', after);
        const page = await session.call<Page<Todo>>(`/v1/todos?${query}`);
        setTodos((shown) => (after ? [...shown, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(undefined);
      } catch (caught) {
        setError(errorText(caught));
      } finally {
        setLoading(false);
      }
    },
    [filter],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const add = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const input = title.current;
    const value = input?.value.trim();
    if (!input || !value) return;
    input.value = '';
    try {
      const todo = await session.call<Todo>('/v1/todos', {
        method: 'POST',
        body: { title: value },
        headers: { 'idempotency-key': crypto.randomUUID() },
      });
      if (filter !== 'done') setTodos((shown) => [todo, ...shown]);
      setError(undefined);
    } catch (caught) {
      input.value = value;
      show(caught);
    }
  };

  /** Ticks at once; the server's answer (with the new version) replaces it, a refusal undoes it. */
  const toggle = async (todo: Todo) => {
    const replace = (next: Todo) => setTodos((shown) => shown.map((t) => (t.id === todo.id ? next : t)));
    replace({ ...todo, done: !todo.done });
    try {
      replace(
        await session.call<Todo>(`/v1/todos/${todo.id}`, {
          method: 'PATCH',
          body: { done: !todo.done },
          headers: { 'if-match': `"${todo.version}"` },
        }),
      );
    } catch (caught) {
      replace(todo);
      show(caught);
      if (caught instanceof ApiError && caught.status === 412) void load();
    }
  };

  const finishDelete = async (todo: Todo) => {
    try {
      await session.call(`/v1/todos/${todo.id}`, { method: 'DELETE' });
    } catch (caught) {
      show(caught);
      void load();
    }
  };

  const remove = (todo: Todo) => {
    if (pendingDelete) {
      clearTimeout(pendingDelete.timer);
      void finishDelete(pendingDelete.todo);
    }
    setTodos((shown) => shown.filter((t) => t.id !== todo.id));
    const timer = setTimeout(() => {
      setPendingDelete(undefined);
      void finishDelete(todo);
    }, UNDO_MS);
    setPendingDelete({ todo, timer });
  };

  const undo = () => {
    if (!pendingDelete) return;
    clearTimeout(pendingDelete.timer);
    const { todo } = pendingDelete;
    setPendingDelete(undefined);
    setTodos((shown) => [...shown, todo].sort((a, b) => (a.id < b.id ? 1 : -1)));
  };

  return (
    <main>
      <h1>To-dos</h1>
      <form onSubmit={add} className="add" aria-label="Add a to-do">
        <label className="visually-hidden" htmlFor="new-todo">
          New to-do
        </label>
        <input id="new-todo" ref={title} placeholder="Add a to-do and press Enter" maxLength={500} autoComplete="off" />
        <button type="submit">Add</button>
      </form>
      <fieldset className="filters">
        <legend className="visually-hidden">Show</legend>
        {(['all', 'open', 'done'] as const).map((value) => (
          <label key={value}>
            <input type="radio" name="filter" checked={filter === value} onChange={() => setFilter(value)} />
            {value === 'all' ? 'All' : value === 'open' ? 'Open' : 'Done'}
          </label>
        ))}
      </fieldset>
      <p role="alert" className="error">
        {error}
      </p>
      <ul className="todos" aria-label="To-dos" aria-busy={loading}>
        {todos.map((todo) => (
          <li key={todo.id} className={todo.done ? 'done' : undefined}>
            <label>
              <input type="checkbox" checked={todo.done} onChange={() => void toggle(todo)} />
              <span>{todo.title}</span>
            </label>
            {todo.dueDate && <time dateTime={todo.dueDate}>{todo.dueDate}</time>}
            <button type="button" className="icon" aria-label={`Delete ${todo.title}`} onClick={() => remove(todo)}>
              ×
            </button>
          </li>
        ))}
      </ul>
      {!loading && todos.length === 0 && !error && (
        <p className="empty">Nothing here yet: add your first to-do above.</p>
      )}
      {loading && <p className="empty">Loading…</p>}
      {cursor && !loading && (
        <button type="button" className="link" onClick={() => void load(cursor)}>
          Show more
        </button>
      )}
      {pendingDelete && (
        <div className="toast" role="status">
          Deleted “{pendingDelete.todo.title}”.{' '}
          <button type="button" className="link" onClick={undo}>
            Undo
          </button>
        </div>
      )}
    </main>
  );
}

// The to-do list: add in one keystroke (Enter), tick done, edit, delete with undo, filter by
// done and by tag, and more to-dos load as the list scrolls. The last list read is kept on the
// device: offline, it is shown from there, and to-dos added offline wait in a queue until the
// connection returns, then go out with their idempotency keys (offline.ts).
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, errorText, type Page, type Todo } from '../api.ts';
import { type QueuedTodo, queue, todoCache } from '../offline.ts';
import { ShowMore } from '../pages.tsx';
import { session } from '../session.ts';
import { type ShownTodo, TodoEditor, TodoItem } from './todo-item.tsx';

const PAGE = 50;
const UNDO_MS = 5_000;
type Filter = 'all' | 'open' | 'done';

const queuedTodo = (item: QueuedTodo): ShownTodo => ({
  id: item.key,
  version: 0,
  title: item.title,
  done: false,
  tags: [],
  createdAt: item.queuedAt,
  queued: true,
});

const sendTodo = (title: string, key: string) =>
  session.call<Todo>('/v1/todos', { method: 'POST', body: { title }, headers: { 'idempotency-key': key } });

/** Calls `onReach` when the element scrolls near the viewport (400 px ahead), while `active`. */
function useNearViewport(onReach: () => void, active: boolean) {
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !active) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && onReach(), {
      rootMargin: '400px',
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [onReach, active]);
  return sentinel;
}

export function Todos() {
  const [todos, setTodos] = useState<ShownTodo[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const [offlineSince, setOfflineSince] = useState<string>();
  const [filter, setFilter] = useState<Filter>('all');
  const [tag, setTag] = useState<string>();
  const [editing, setEditing] = useState<string>();
  const [pendingDelete, setPendingDelete] = useState<{ todo: Todo; timer: ReturnType<typeof setTimeout> }>();
  const title = useRef<HTMLInputElement>(null);
  const unfiltered = filter === 'all' && tag === undefined;

  const show = (caught: unknown) => setError(errorText(caught));
  const replace = (next: ShownTodo) => setTodos((shown) => shown.map((todo) => (todo.id === next.id ? next : todo)));

  const load = useCallback(
    async (after?: string) => {
      setLoading(true);
      try {
        const query = new URLSearchParams({ limit: String(PAGE) });
        if (filter !== 'all') query.set('done', String(filter === 'done'));
        if (tag) query.set('tag', tag);
        if (after) query.set('cursor', after);
        const page = await session.call<Page<Todo>>(`/v1/todos?${query}`);
        const queued = after || !unfiltered ? [] : (await queue.list()).map(queuedTodo);
        setTodos((shown) => (after ? [...shown, ...page.items] : [...queued, ...page.items]));
        setCursor(page.nextCursor);
        setOfflineSince(undefined);
        setError(undefined);
      } catch (caught) {
        const cached = caught instanceof ApiError && caught.status === 0 && !after && (await todoCache.load());
        if (cached) {
          const queued = (await queue.list()).map(queuedTodo);
          setTodos([...queued, ...cached.todos.filter((t) => matches(t, filter, tag))]);
          setCursor(undefined);
          setOfflineSince(cached.savedAt);
        } else setError(errorText(caught));
      } finally {
        setLoading(false);
      }
    },
    [filter, tag, unfiltered],
  );

  /** Sends the to-dos added offline, oldest first; stops at the first that cannot go yet. */
  const sendQueued = useCallback(async () => {
    for (const item of await queue.list()) {
      try {
        const todo = await sendTodo(item.title, item.key);
        await queue.remove(item.key);
        setTodos((shown) => shown.map((t) => (t.id === item.key ? todo : t)));
      } catch (caught) {
        if (caught instanceof ApiError && caught.status !== 0 && caught.status < 500) {
          await queue.remove(item.key); // refused for good (e.g. too long): say so, keep the rest going
          setTodos((shown) => shown.filter((t) => t.id !== item.key));
          setError(errorText(caught));
          continue;
        }
        return;
      }
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    const reconnect = () => void sendQueued().then(() => load());
    void sendQueued();
    addEventListener('online', reconnect);
    return () => removeEventListener('online', reconnect);
  }, [sendQueued, load]);

  // The unfiltered list as the server last confirmed it is what the app shows offline.
  useEffect(() => {
    if (unfiltered && !loading && offlineSince === undefined && error === undefined) {
      void todoCache.save(todos.filter((todo) => !todo.queued));
    }
  }, [todos, unfiltered, loading, offlineSince, error]);

  const more = useCallback(() => {
    if (cursor && !loading) void load(cursor);
  }, [cursor, loading, load]);
  const sentinel = useNearViewport(more, cursor !== undefined && !loading);

  const add = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const input = title.current;
    const value = input?.value.trim();
    if (!input || !value) return;
    input.value = '';
    const key = crypto.randomUUID();
    try {
      const todo = await sendTodo(value, key);
      if (filter !== 'done' && tag === undefined) setTodos((shown) => [todo, ...shown]);
      setError(undefined);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 0) {
        const item = { key, title: value, queuedAt: new Date().toISOString() };
        await queue.add(item);
        setTodos((shown) => [queuedTodo(item), ...shown]);
        return;
      }
      input.value = value;
      show(caught);
    }
  };

  /** Ticks at once; the server's answer (with the new version) replaces it, a refusal undoes it. */
  const toggle = async (todo: ShownTodo) => {
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

  const remove = (todo: ShownTodo) => {
    setTodos((shown) => shown.filter((t) => t.id !== todo.id));
    if (todo.queued) {
      void queue.remove(todo.id);
      return;
    }
    if (pendingDelete) {
      clearTimeout(pendingDelete.timer);
      void finishDelete(pendingDelete.todo);
    }
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
      <div className="filters">
        <fieldset>
          <legend className="visually-hidden">Show</legend>
          {(['all', 'open', 'done'] as const).map((value) => (
            <label key={value}>
              <input type="radio" name="filter" checked={filter === value} onChange={() => setFilter(value)} />
              {value === 'all' ? 'All' : value === 'open' ? 'Open' : 'Done'}
            </label>
          ))}
        </fieldset>
        {tag && (
          <button
            type="button"
            className="tag"
            onClick={() => setTag(undefined)}
            aria-label={`Stop showing only #${tag}`}
          >
            #{tag} ×
          </button>
        )}
      </div>
      {offlineSince && (
        <p className="notice" role="status">
          You are offline: these are your to-dos as of {new Date(offlineSince).toLocaleString()}. To-dos you add are
          sent when the connection returns.
        </p>
      )}
      <p role="alert" className="error">
        {error}
      </p>
      <ul className="rows todos" aria-label="To-dos" aria-busy={loading}>
        {todos.map((todo) =>
          editing === todo.id ? (
            <TodoEditor
              key={todo.id}
              todo={todo}
              onSaved={(saved) => {
                replace(saved);
                setEditing(undefined);
              }}
              onCancel={() => setEditing(undefined)}
            />
          ) : (
            <TodoItem
              key={todo.id}
              todo={todo}
              onToggle={() => void toggle(todo)}
              onEdit={() => setEditing(todo.id)}
              onDelete={() => remove(todo)}
              onTag={setTag}
            />
          ),
        )}
      </ul>
      {!loading && todos.length === 0 && !error && (
        <p className="empty">
          {unfiltered ? 'Nothing here yet: add your first to-do above.' : 'No to-dos match this filter.'}
        </p>
      )}
      {loading && <p className="empty">Loading…</p>}
      <div ref={sentinel} />
      <ShowMore pages={{ nextCursor: cursor, loading, load }} className="link" />
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

/** Whether a kept to-do belongs in the filtered list (offline, filters apply on the device). */
const matches = (todo: Todo, filter: Filter, tag: string | undefined) =>
  (filter === 'all' || todo.done === (filter === 'done')) && (tag === undefined || todo.tags.includes(tag));

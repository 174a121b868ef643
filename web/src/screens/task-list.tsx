// The task list: one row per task with what decides what to do next (priority, due time in the
// task's zone, overdue, list, checklist progress, tags), a box to add a task by its title, and a
// checkbox to mark one done. Filters and sort are the API's own query parameters, kept in the
// address bar; pages load with the API's cursor. A task added while filtering gets the filtered
// list, tag, status and priority, so it shows up where the user is looking.
import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { ShowMore, usePages } from '../pages.tsx';
import { Link, navigate, useLocation } from '../router.ts';
import { session } from '../session.ts';
import { TagList } from '../tags.tsx';
import { TaskFilters } from './task-filters.tsx';
import {
  clearFlash,
  deviceZone,
  type Filters,
  filtersOf,
  flashed,
  isFiltered,
  isOverdue,
  isStale,
  patchTask,
  queryOf,
  rememberListAddress,
  STATUS_LABELS,
  type Task,
  taskPage,
  taskUrl,
} from './task-model.ts';
import { ChecklistProgress, DueTime, ListName, PriorityBadge } from './task-parts.tsx';

const PAGE = 20;

/** The time overdue is judged against, moved on every minute so a task turns overdue on screen. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Every distinct value seen so far, for the tag and list suggestions. */
function useSeen(tasks: Task[], pick: (task: Task) => string[]): string[] {
  const [seen, setSeen] = useState<string[]>([]);
  useEffect(() => {
    setSeen((known) => {
      const all = new Set(known);
      for (const task of tasks) for (const value of pick(task)) all.add(value);
      return all.size === known.length ? known : [...all].sort((a, b) => a.localeCompare(b));
    });
  }, [tasks, pick]);
  return seen;
}
const tagsOf = (task: Task) => task.tags;
const listOf = (task: Task) => (task.list ? [task.list] : []);

const matches = (task: Task, filters: Filters) =>
  (!filters.status || task.status === filters.status) &&
  (!filters.priority || task.priority === filters.priority) &&
  (!filters.tag || task.tags.includes(filters.tag)) &&
  (!filters.list || task.list?.toLowerCase() === filters.list.toLowerCase()) &&
  (!filters.overdue || isOverdue(task));

export function TaskList() {
  const { searchParams } = useLocation();
  const filters = useMemo(() => filtersOf(searchParams), [searchParams]);
  const query = queryOf(filters).toString();
  const address = `/tasks${query ? `?${query}` : ''}`;
  const pages = usePages<Task>(`/v1/tasks?limit=${PAGE}${query ? `&${query}` : ''}`);
  const { items: tasks, setItems: setTasks, load } = pages;
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState(flashed);
  const now = useNow();
  const knownTags = useSeen(tasks, tagsOf);
  const knownLists = useSeen(tasks, listOf);

  useEffect(() => rememberListAddress(address), [address]);
  useEffect(clearFlash, []);

  const applyFilters = (next: Filters) => {
    const nextQuery = queryOf(next).toString();
    navigate(`/tasks${nextQuery ? `?${nextQuery}` : ''}`, { replace: true });
  };

  const replace = useCallback(
    (task: Task) => setTasks((shown) => shown.map((t) => (t.id === task.id ? task : t))),
    [setTasks],
  );

  /** Ticks at once; the API's answer (with the new version) replaces it, a refusal undoes it. */
  const toggleDone = async (task: Task) => {
    const next = task.status === 'done' ? 'todo' : 'done';
    replace({ ...task, status: next });
    setError(undefined);
    try {
      replace(await patchTask(task, { status: next }));
      setStatus(next === 'done' ? `Marked “${task.title}” done.` : `Marked “${task.title}” to do again.`);
    } catch (caught) {
      replace(task);
      if (isStale(caught)) await showLatest(task);
      else setError(errorText(caught));
    }
  };

  /** After a 412: the task read again by id (always current, where a filtered list may lag a moment). */
  const showLatest = async (stale: Task) => {
    try {
      replace(await session.call<Task>(taskUrl(stale.id)));
      setError(
        `“${stale.title}” was changed elsewhere, so it was not changed here: it now shows its latest version. Try again if you still want to.`,
      );
    } catch (caught) {
      setError(errorText(caught));
      void load();
    }
  };

  const added = (task: Task) => {
    if (!matches(task, filters)) {
      setStatus(`Added “${task.title}”: it is not shown because of the filters.`);
    } else if (filters.sort === 'created') {
      setTasks((shown) => [task, ...shown]);
      setStatus(`Added “${task.title}”.`);
    } else {
      setStatus(`Added “${task.title}”.`);
      void load(); // only the API knows where it sorts among pages not loaded yet
    }
  };

  const empty = !pages.loading && tasks.length === 0 && !pages.error;
  return (
    <>
      <QuickAdd filters={filters} onAdded={added} onError={setError} />
      <TaskFilters filters={filters} onChange={applyFilters} knownTags={knownTags} knownLists={knownLists} />
      <p role="status" className="status">
        {status}
      </p>
      <p role="alert" className="error">
        {error ?? pages.error}
      </p>
      <ul className="rows task-rows" aria-label="Tasks" aria-busy={pages.loading}>
        {tasks.map((task) => (
          <TaskRow
            key={task.id}
            task={task}
            now={now}
            onToggle={() => void toggleDone(task)}
            onTag={(tag) => applyFilters({ ...filters, tag })}
          />
        ))}
      </ul>
      {empty &&
        (isFiltered(filters) ? (
          <p className="empty">
            No tasks match these filters.{' '}
            <button type="button" className="link" onClick={() => applyFilters({ sort: filters.sort })}>
              Clear filters
            </button>
          </p>
        ) : (
          <p className="empty">No tasks yet: add your first above.</p>
        ))}
      {pages.loading && <p className="empty">Loading…</p>}
      <ShowMore pages={pages} className="secondary more" />
    </>
  );
}

function QuickAdd({
  filters,
  onAdded,
  onError,
}: {
  filters: Filters;
  onAdded: (task: Task) => void;
  onError: (message: string | undefined) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const inherited = [
    filters.list && `list ${filters.list}`,
    filters.tag && `#${filters.tag}`,
    filters.status && STATUS_LABELS[filters.status].toLowerCase(),
    filters.priority && `${filters.priority} priority`,
  ].filter(Boolean);

  const add = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const field = input.current;
    const title = field?.value.trim();
    if (!field || !title) return;
    setBusy(true);
    onError(undefined);
    try {
      const task = await session.call<Task>('/v1/tasks', {
        method: 'POST',
        headers: { 'idempotency-key': crypto.randomUUID() },
        body: {
          title,
          timeZone: deviceZone(),
          ...(filters.list ? { list: filters.list } : {}),
          ...(filters.tag ? { tags: [filters.tag] } : {}),
          ...(filters.status ? { status: filters.status } : {}),
          ...(filters.priority ? { priority: filters.priority } : {}),
        },
      });
      field.value = '';
      onAdded(task);
    } catch (caught) {
      onError(errorText(caught));
    } finally {
      setBusy(false);
      field.focus();
    }
  };

  return (
    <form onSubmit={add} className="add quick-add" aria-label="Add a task">
      <label className="visually-hidden" htmlFor="new-task-title">
        New task
      </label>
      <input
        id="new-task-title"
        ref={input}
        placeholder="Add a task and press Enter"
        maxLength={500}
        autoComplete="off"
        aria-describedby={inherited.length > 0 ? 'new-task-hint' : undefined}
      />
      <button type="submit" disabled={busy}>
        Add
      </button>
      {inherited.length > 0 && (
        <p id="new-task-hint" className="hint">
          New tasks get the filter’s {inherited.join(', ')}.
        </p>
      )}
    </form>
  );
}

function TaskRow({
  task,
  now,
  onToggle,
  onTag,
}: {
  task: Task;
  now: number;
  onToggle: () => void;
  onTag: (tag: string) => void;
}) {
  const done = task.status === 'done';
  const classes = ['task-row', done ? 'done' : '', isOverdue(task, now) ? 'is-overdue' : ''].filter(Boolean);
  return (
    <li className={classes.join(' ')}>
      <input type="checkbox" aria-label={`Done: ${task.title}`} checked={done} onChange={onToggle} />
      <div className="task-body">
        <Link to={taskPage(task.id)} className="task-title">
          {task.title}
        </Link>
        <div className="task-meta">
          <PriorityBadge priority={task.priority} />
          {task.status === 'in_progress' && <span className="status-badge">In progress</span>}
          <DueTime task={task} now={now} />
          <ListName list={task.list} />
          <ChecklistProgress checklist={task.checklist} />
        </div>
        <TagList tags={task.tags} onSelect={onTag} />
      </div>
    </li>
  );
}

// The board: a column per status (To do, In progress, Done), most urgent first. A card moves by
// dragging it to another column (HTML5 drag and drop) or by its "Move to" buttons, which work
// with a keyboard, a screen reader and a finger (dragging does none of those well). A move shows
// at once and is sent with the version the card was read at; if the task changed elsewhere
// meanwhile (412) the board reloads and says so. Focus follows a moved card into its new column.
import { type DragEvent, type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { type Pages, ShowMore, usePages } from '../pages.tsx';
import { Link } from '../router.ts';
import { session } from '../session.ts';
import { useNow } from './task-list.tsx';
import {
  isOverdue,
  isStale,
  patchTask,
  priorityRank,
  rememberListAddress,
  STATUS_LABELS,
  STATUSES,
  type Task,
  type TaskStatus,
  taskPage,
  taskUrl,
} from './task-model.ts';
import { ChecklistProgress, DueTime, ListName, PriorityBadge } from './task-parts.tsx';

const PAGE = 50;
/** Only cards of this board are dropped here: files or text dragged in from elsewhere are not. */
const CARD_TYPE = 'application/x-stratus-task';

const columnAddress = (status: TaskStatus) => `/v1/tasks?status=${status}&sort=priority&limit=${PAGE}`;

export function TaskBoard() {
  const columns: Record<TaskStatus, Pages<Task>> = {
    todo: usePages<Task>(columnAddress('todo')),
    in_progress: usePages<Task>(columnAddress('in_progress')),
    done: usePages<Task>(columnAddress('done')),
  };
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [focusId, setFocusId] = useState<string>();
  const [dragging, setDragging] = useState<string>();
  const now = useNow();
  const focused = useCallback(() => setFocusId(undefined), []);

  useEffect(() => rememberListAddress('/tasks/board'), []);
  // A drag dropped outside every column ends here, whatever became of the card.
  useEffect(() => {
    if (!dragging) return;
    const end = () => setDragging(undefined);
    addEventListener('dragend', end);
    addEventListener('drop', end);
    return () => {
      removeEventListener('dragend', end);
      removeEventListener('drop', end);
    };
  }, [dragging]);

  const find = (id: string) =>
    STATUSES.map((s) => columns[s].items.find((task) => task.id === id)).find((task) => task !== undefined);

  /** Takes the card out of its column and puts it in another, in priority order. */
  const place = (task: Task, from: TaskStatus) => {
    columns[from].setItems((shown) => shown.filter((t) => t.id !== task.id));
    columns[task.status].setItems((shown) => {
      const rest = shown.filter((t) => t.id !== task.id);
      const at = rest.findIndex((t) => priorityRank(t.priority) > priorityRank(task.priority));
      return at === -1 ? [...rest, task] : [...rest.slice(0, at), task, ...rest.slice(at)];
    });
  };

  const move = async (task: Task, to: TaskStatus) => {
    if (task.status === to) return;
    const from = task.status;
    setError(undefined);
    place({ ...task, status: to }, from);
    setFocusId(task.id);
    try {
      const saved = await patchTask(task, { status: to });
      columns[to].setItems((shown) => shown.map((t) => (t.id === saved.id ? saved : t)));
      setStatus(`Moved “${task.title}” to ${STATUS_LABELS[to]}.`);
    } catch (caught) {
      place(task, to);
      if (isStale(caught)) await showLatest(task, to);
      else setError(errorText(caught));
    }
  };

  /**
   * After a 412: the card is read again by id (always current, where the columns' filtered
   * lists may lag a moment behind a change) and shown as it now is, in its column.
   */
  const showLatest = async (stale: Task, wanted: TaskStatus) => {
    try {
      const latest = await session.call<Task>(taskUrl(stale.id));
      columns[stale.status].setItems((shown) => shown.filter((t) => t.id !== stale.id));
      place(latest, latest.status);
      setFocusId(latest.id);
      setError(
        `“${stale.title}” was changed elsewhere, so it was not moved to ${STATUS_LABELS[wanted]}: it now shows its latest version. Move it again if you still want to.`,
      );
    } catch (caught) {
      setError(errorText(caught));
      for (const s of STATUSES) void columns[s].load();
    }
  };

  const drop = (to: TaskStatus, id: string) => {
    // The card's own dragend may never come: it leaves its column (and the page) on the drop.
    setDragging(undefined);
    const task = find(id);
    if (task) void move(task, to);
  };

  const loading = STATUSES.some((s) => columns[s].loading);
  const loadError = STATUSES.map((s) => columns[s].error).find(Boolean);
  return (
    <>
      <p className="hint board-hint">Drag a card to another column, or use its “Move to” buttons.</p>
      <p role="status" className="status">
        {status}
      </p>
      <p role="alert" className="error">
        {error ?? loadError}
      </p>
      <div className="board" aria-busy={loading}>
        {STATUSES.map((column) => (
          <Column
            key={column}
            status={column}
            pages={columns[column]}
            dragging={dragging}
            onDrop={(id) => drop(column, id)}
          >
            {columns[column].items.map((task) => (
              <Card
                key={task.id}
                task={task}
                now={now}
                focus={focusId === task.id}
                onFocused={focused}
                onMove={(to) => void move(task, to)}
                onDragChange={(on) => setDragging(on ? task.id : undefined)}
              />
            ))}
          </Column>
        ))}
      </div>
    </>
  );
}

function Column({
  status,
  pages,
  dragging,
  onDrop,
  children,
}: {
  status: TaskStatus;
  pages: Pages<Task>;
  dragging: string | undefined;
  onDrop: (id: string) => void;
  children: ReactNode;
}) {
  const [over, setOver] = useState(false);
  const headingId = `board-${status}`;
  const accepts = (event: DragEvent) => event.dataTransfer.types.includes(CARD_TYPE);
  const classes = ['board-column', `column-${status}`, over ? 'over' : '', dragging ? 'drop-target' : ''];
  return (
    <section
      className={classes.filter(Boolean).join(' ')}
      aria-labelledby={headingId}
      onDragOver={(event) => {
        if (!accepts(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
        setOver(true);
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={(event) => {
        if (!accepts(event)) return;
        event.preventDefault();
        setOver(false);
        onDrop(event.dataTransfer.getData(CARD_TYPE));
      }}
    >
      <h2 id={headingId}>
        {STATUS_LABELS[status]}{' '}
        <span className="count">
          {pages.items.length}
          {pages.nextCursor ? '+' : ''}
        </span>
      </h2>
      <ul className="cards" aria-labelledby={headingId}>
        {children}
      </ul>
      {!pages.loading && pages.items.length === 0 && !pages.error && <p className="empty">Nothing here</p>}
      {pages.loading && pages.items.length === 0 && <p className="empty">Loading…</p>}
      <ShowMore pages={pages} className="link" />
    </section>
  );
}

function Card({
  task,
  now,
  focus,
  onFocused,
  onMove,
  onDragChange,
}: {
  task: Task;
  now: number;
  focus: boolean;
  onFocused: () => void;
  onMove: (to: TaskStatus) => void;
  onDragChange: (dragging: boolean) => void;
}) {
  const card = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (!focus) return;
    card.current?.focus();
    onFocused();
  }, [focus, onFocused]);

  return (
    <li
      ref={card}
      tabIndex={-1}
      className={isOverdue(task, now) ? 'card task-card is-overdue' : 'card task-card'}
      draggable
      onDragStart={(event) => {
        event.dataTransfer.setData(CARD_TYPE, task.id);
        event.dataTransfer.setData('text/plain', task.title);
        event.dataTransfer.effectAllowed = 'move';
        onDragChange(true);
      }}
      onDragEnd={() => onDragChange(false)}
    >
      <Link to={taskPage(task.id)} className="task-title">
        {task.title}
      </Link>
      <div className="task-meta">
        <PriorityBadge priority={task.priority} />
        <DueTime task={task} now={now} />
        <ListName list={task.list} />
        <ChecklistProgress checklist={task.checklist} />
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a fieldset would add a legend box around two buttons; a labelled group reads the same */}
      <div className="move" role="group" aria-label={`Move “${task.title}”`}>
        <span aria-hidden="true">Move to</span>
        {STATUSES.filter((s) => s !== task.status).map((to) => (
          <button
            key={to}
            type="button"
            className="secondary"
            aria-label={`Move “${task.title}” to ${STATUS_LABELS[to]}`}
            onClick={() => onMove(to)}
          >
            {STATUS_LABELS[to]}
          </button>
        ))}
      </div>
    </li>
  );
}

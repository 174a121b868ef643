// One task, new (`/tasks/new`) or existing (`/tasks/<id>`): its fields, checklist, reminders and,
// once it exists, its attachments. The form edits a draft (task-draft.ts) and Save sends only
// what changed, with If-Match; if the task changed elsewhere meanwhile (412) it is read again and
// the user's changes are kept on top, to check and save again. The due time is typed as wall-clock
// time in a chosen zone (the device's by default); the API's refusals (a reminder already past, a
// time that daylight saving skips) appear in its words beside the Save button.
import { type FormEvent, useCallback, useEffect, useId, useMemo, useState } from 'react';
import { errorText } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { Link, navigate } from '../router.ts';
import { session } from '../session.ts';
import { MAX_TAGS } from '../tags.tsx';
import { TaskAttachments } from './task-attachments.tsx';
import { Checklist } from './task-checklist.tsx';
import { changeOf, createBody, type Draft, draftOf, emptyDraft, problemOf, rebase } from './task-draft.ts';
import {
  clearFlash,
  deviceZone,
  flashed,
  formatLongInZone,
  isStale,
  listAddress,
  PRIORITIES,
  PRIORITY_LABELS,
  patchTask,
  STATUS_LABELS,
  STATUSES,
  setFlash,
  type Task,
  taskPage,
  taskUrl,
  timeZones,
  wallClock,
  zoneName,
} from './task-model.ts';
import { SelectField } from './task-parts.tsx';
import { Reminders } from './task-reminders.tsx';

/** The version read, and the draft of it that edits are measured against. */
interface Loaded {
  task: Task;
  base: Draft;
}

export function TaskEditor({ id }: { id?: string }) {
  const [loaded, setLoaded] = useState<Loaded>();
  const [draft, setDraft] = useState<Draft | undefined>(() => (id ? undefined : emptyDraft()));
  const [loadError, setLoadError] = useState<string>();

  useEffect(() => {
    if (!id) return;
    const controller = new AbortController();
    session
      .call<Task>(taskUrl(id), { signal: controller.signal })
      .then((task) => {
        const base = draftOf(task);
        setLoaded({ task, base });
        setDraft(base);
      })
      .catch((caught: unknown) => {
        if ((caught as Error).name !== 'AbortError') setLoadError(errorText(caught));
      });
    return () => controller.abort();
  }, [id]);

  /** After a 412: the newest version, with this user's unsaved changes laid on it. */
  const reloadKeeping = useCallback(async (stale: Loaded) => {
    const latest = await session.call<Task>(taskUrl(stale.task.id));
    const base = draftOf(latest);
    setDraft((current) => (current ? rebase(stale.base, current, base) : base));
    setLoaded({ task: latest, base });
  }, []);

  return (
    <main className="tasks task-editor">
      <Link to={listAddress()} className="back">
        {listAddress().startsWith('/tasks/board') ? '← Board' : '← All tasks'}
      </Link>
      <h1>{id ? 'Edit task' : 'New task'}</h1>
      {loadError && (
        <p role="alert" className="error">
          {loadError}
        </p>
      )}
      {id && !draft && !loadError && (
        <p className="empty" aria-busy="true">
          Loading…
        </p>
      )}
      {draft && (
        <TaskForm
          loaded={loaded}
          draft={draft}
          onDraft={setDraft}
          onSaved={(task) => {
            const base = draftOf(task);
            setLoaded({ task, base });
            setDraft(base);
          }}
          onStale={reloadKeeping}
        />
      )}
      {loaded && <TaskAttachments taskId={loaded.task.id} title={loaded.task.title} />}
      {loaded && <DeleteTask loaded={loaded} onStale={reloadKeeping} />}
      {!id && <p className="hint">Save the task to attach files to it.</p>}
    </main>
  );
}

function TaskForm({
  loaded,
  draft,
  onDraft,
  onSaved,
  onStale,
}: {
  loaded: Loaded | undefined;
  draft: Draft;
  onDraft: (draft: Draft) => void;
  onSaved: (task: Task) => void;
  /** Reads the task again, keeping the draft's changes; rejects when it cannot. */
  onStale: (stale: Loaded) => Promise<void>;
}) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState(flashed);
  const zones = useMemo(() => timeZones(draft.timeZone), [draft.timeZone]);
  const task = loaded?.task;
  const dirty = loaded ? Object.keys(changeOf(loaded.base, draft)).length > 0 : draft.title.trim() !== '';

  useEffect(clearFlash, []);

  // Closing the tab would lose unsaved edits: the browser asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    addEventListener('beforeunload', warn);
    return () => removeEventListener('beforeunload', warn);
  }, [dirty]);

  const set = (change: Partial<Draft>) => {
    setStatus(undefined);
    onDraft({ ...draft, ...change });
  };
  /** A new due time or zone moves the reminders: their computed times are stale until saved. */
  const setDue = (change: Partial<Draft>) =>
    set({ ...change, reminders: draft.reminders.map(({ fireAt: _stale, ...reminder }) => reminder) });

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problem = problemOf(draft);
    setError(problem);
    setStatus(undefined);
    if (problem) return;
    if (!loaded) return create();
    const change = changeOf(loaded.base, draft);
    if (Object.keys(change).length === 0) return setStatus('Nothing to save: no changes.');
    setBusy(true);
    try {
      const saved = await patchTask(loaded.task, change);
      onSaved(saved);
      setStatus('Saved.');
    } catch (caught) {
      if (isStale(caught)) await staleSave(loaded);
      else setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  };

  const create = async () => {
    setBusy(true);
    try {
      const created = await session.call<Task>('/v1/tasks', {
        method: 'POST',
        headers: { 'idempotency-key': crypto.randomUUID() },
        body: createBody(draft),
      });
      setFlash(`Created “${created.title}”. You can attach files below.`);
      navigate(taskPage(created.id), { replace: true });
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  };

  const staleSave = async (stale: Loaded) => {
    try {
      await onStale(stale);
      setError(
        'This task was changed elsewhere since you opened it, so nothing was saved. It has been reloaded with your changes kept on top: check them and save again.',
      );
    } catch (caught) {
      setError(errorText(caught));
    }
  };

  const hasDue = draft.dueDate !== '' && draft.dueTime !== '';
  return (
    <form className="task-form" aria-label={task ? `Edit ${task.title}` : 'New task'} onSubmit={save} noValidate>
      <label className="field">
        <span>Title</span>
        <input
          type="text"
          value={draft.title}
          required
          maxLength={500}
          onChange={(event) => set({ title: event.target.value })}
        />
      </label>
      <label className="field">
        <span>Description</span>
        <textarea rows={3} value={draft.description} onChange={(event) => set({ description: event.target.value })} />
      </label>
      <div className="pair">
        <SelectField
          label="Status"
          value={draft.status}
          onChange={(value) => set({ status: value as Draft['status'] })}
        >
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {STATUS_LABELS[value]}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Priority"
          value={draft.priority}
          onChange={(value) => set({ priority: value as Draft['priority'] })}
        >
          {PRIORITIES.map((value) => (
            <option key={value} value={value}>
              {PRIORITY_LABELS[value]}
            </option>
          ))}
        </SelectField>
      </div>
      <fieldset className="due">
        <legend>Due</legend>
        <div className="pair">
          <label className="field">
            <span>Due date</span>
            <input
              type="date"
              value={draft.dueDate}
              onChange={(event) => {
                const date = event.target.value;
                // A date alone is not a due time: 9:00 is offered, and can be changed.
                setDue({ dueDate: date, dueTime: date ? draft.dueTime || '09:00' : '' });
              }}
            />
          </label>
          <label className="field">
            <span>Due time</span>
            <input type="time" value={draft.dueTime} onChange={(event) => setDue({ dueTime: event.target.value })} />
          </label>
        </div>
        <SelectField label="Time zone" value={draft.timeZone} onChange={(value) => setDue({ timeZone: value })}>
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zoneName(zone)}
            </option>
          ))}
        </SelectField>
        <DueHint task={task} draft={draft} />
        {(draft.dueDate || draft.dueTime) && (
          <button type="button" className="link" onClick={() => setDue({ dueDate: '', dueTime: '' })}>
            Clear the due date
          </button>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-tags`}>Tags</label>
        <input
          id={`${id}-tags`}
          type="text"
          value={draft.tags}
          autoComplete="off"
          autoCapitalize="none"
          aria-describedby={`${id}-tags-hint`}
          onChange={(event) => set({ tags: event.target.value })}
        />
        <small id={`${id}-tags-hint`} className="hint">
          Separate with commas, up to {MAX_TAGS}
        </small>
      </div>
      <label className="field">
        <span>List</span>
        <input
          type="text"
          value={draft.list}
          maxLength={60}
          autoComplete="off"
          placeholder="e.g. Home, Work"
          onChange={(event) => set({ list: event.target.value })}
        />
      </label>
      <Checklist items={draft.checklist} onChange={(checklist) => set({ checklist })} />
      <Reminders
        reminders={draft.reminders}
        zone={draft.timeZone}
        hasDue={hasDue}
        onChange={(reminders) => set({ reminders })}
      />
      <div className="editor-actions">
        <p role="alert" className="error">
          {error}
        </p>
        <p role="status" className="status">
          {status}
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : task ? 'Save' : 'Create task'}
        </button>
      </div>
    </form>
  );
}

/** Deleting, at the foot of the page, apart from Save: asked first, sent with the version read. */
function DeleteTask({ loaded, onStale }: { loaded: Loaded; onStale: (stale: Loaded) => Promise<void> }) {
  const { task } = loaded;
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string>();

  const remove = async () => {
    setDeleting(true);
    setError(undefined);
    try {
      await session.call(taskUrl(task.id), { method: 'DELETE', headers: { 'if-match': `"${task.version}"` } });
      setFlash(`Deleted “${task.title}”.`);
      navigate(listAddress());
    } catch (caught) {
      setDeleting(false);
      setConfirming(false);
      if (!isStale(caught)) return setError(errorText(caught));
      try {
        await onStale(loaded);
        setError(
          'This task was changed elsewhere since you opened it, so it was not deleted. Check its latest version above, and delete it again if you still want to.',
        );
      } catch (again) {
        setError(errorText(again));
      }
    }
  };

  return (
    <section className="editor-section delete-task" aria-label="Delete this task">
      <p role="alert" className="error">
        {error}
      </p>
      {confirming ? (
        <Confirm
          question={`Delete “${task.title}”? Its reminders and attachments go with it.`}
          confirm="Yes, delete"
          busy={deleting}
          onConfirm={() => void remove()}
          onCancel={() => setConfirming(false)}
        />
      ) : (
        <button type="button" className="secondary danger" onClick={() => setConfirming(true)}>
          Delete task
        </button>
      )}
    </section>
  );
}

/** The saved due time, and what it is on this device's clock when the task's zone is another. */
function DueHint({ task, draft }: { task: Task | undefined; draft: Draft }) {
  const dueAt = task?.dueAt;
  if (!task || !dueAt) return null;
  const saved = wallClock(dueAt, task.timeZone);
  const edited = saved.date !== draft.dueDate || saved.time !== draft.dueTime || task.timeZone !== draft.timeZone;
  if (edited) return <p className="hint">The new due time is checked when you save.</p>;
  const here = deviceZone();
  return (
    <p className="hint">
      Due {formatLongInZone(dueAt, task.timeZone)} ({zoneName(task.timeZone)})
      {task.timeZone !== here && `, which is ${formatLongInZone(dueAt, here)} where you are`}.
    </p>
  );
}

// Notes: a list (pinned first, as the API orders them), a note read as rendered Markdown, and a
// form to write or edit one with a live preview. Which of these shows is in the query string
// (`?new`, `?note=<id>`, `?note=<id>&edit`), so the back button, reloads and shared links work
// without a router. An edit sends If-Match; when the note changed elsewhere meanwhile (412) the
// form reloads the latest version and keeps the user's unsaved text beside it to copy from.
import { type ReactNode, useCallback, useEffect, useId, useMemo, useState } from 'react';
import { ApiError, errorText, type Profile } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { Form, text } from '../form.tsx';
import { renderMarkdown } from '../markdown.ts';
import { ShowMore, usePages } from '../pages.tsx';
import { Link, navigate, useLocation } from '../router.ts';
import { session } from '../session.ts';
import { parseTags, TagList, TagsField, type Visibility, VisibilityField, visibilityOf } from '../tags.tsx';
import './notes.css';

interface Note {
  id: string;
  version: number;
  title: string;
  body: string;
  tags: string[];
  pinned: boolean;
  visibility: Visibility;
  createdAt: string;
  updatedAt: string;
}

type NoteFields = Pick<Note, 'title' | 'body' | 'tags' | 'pinned' | 'visibility'>;

/** The user's public site name: undefined while unknown, null when they have none yet. */
type Username = string | null | undefined;

const PAGE = 20;
const noteUrl = (id: string) => `/v1/notes/${encodeURIComponent(id)}`;
const notePage = (id: string) => `/notes?note=${encodeURIComponent(id)}`;

export function Notes() {
  const query = useLocation().searchParams;
  const username = useUsername();
  const id = query.get('note');
  if (query.has('new')) return <NewNote />;
  if (id && query.has('edit')) return <EditNote id={id} />;
  if (id) return <ReadNote id={id} username={username} />;
  return <NoteList />;
}

/** Asked once per visit to Notes: a public note links to the user's site when they have one. */
function useUsername(): Username {
  const [username, setUsername] = useState<Username>();
  useEffect(() => {
    const controller = new AbortController();
    session
      .call<Profile>('/v1/me', { signal: controller.signal })
      .then((me) => setUsername(me.username ?? null))
      .catch(() => {}); // Only the site link depends on it: without it, none is shown.
    return () => controller.abort();
  }, []);
  return username;
}

function useNote(id: string) {
  const [note, setNote] = useState<Note>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const load = useCallback(
    async (signal?: AbortSignal) => {
      setLoading(true);
      try {
        setNote(await session.call<Note>(noteUrl(id), signal ? { signal } : {}));
        setError(undefined);
      } catch (caught) {
        if ((caught as Error).name === 'AbortError') return;
        setError(errorText(caught));
      } finally {
        if (!signal?.aborted) setLoading(false);
      }
    },
    [id],
  );
  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);
  return { note, error, loading, reload: load };
}

function NoteList() {
  const notes = usePages<Note>(`/v1/notes?limit=${PAGE}`);
  return (
    <main className="notes">
      <div className="screen-head">
        <h1>Notes</h1>
        <Link to="/notes?new" className="button-link">
          New note
        </Link>
      </div>
      <p role="alert" className="error">
        {notes.error}
      </p>
      <ul className="rows record-list" aria-label="Notes" aria-busy={notes.loading}>
        {notes.items.map((note) => (
          <li key={note.id}>
            <Link to={notePage(note.id)} className="record-title">
              {note.title}
            </Link>
            <RecordBadges pinned={note.pinned} visibility={note.visibility} />
            {excerpt(note.body) && <p className="excerpt">{excerpt(note.body)}</p>}
            <TagList tags={note.tags} />
          </li>
        ))}
      </ul>
      {!notes.loading && notes.items.length === 0 && !notes.error && (
        <p className="empty">No notes yet: write your first one with “New note”.</p>
      )}
      {notes.loading && <p className="empty">Loading…</p>}
      <ShowMore pages={notes} className="secondary more" />
    </main>
  );
}

/** The first line of text in a note, without Markdown's leading marks, for the list. */
function excerpt(body: string): string {
  const line = body
    .split('\n')
    .map((l) => l.replace(/^\s*(?:(?:#{1,6}|>|[*+-]|\d+[.)])\s+)*/, '').trim())
    .find((l) => l !== '');
  return line && line.length > 120 ? `${line.slice(0, 119)}…` : (line ?? '');
}

function RecordBadges({ pinned, visibility }: { pinned?: boolean; visibility: Visibility }) {
  return (
    <span className="badges">
      {pinned && <span className="pill">Pinned</span>}
      {visibility === 'public' && <span className="pill public">Public</span>}
    </span>
  );
}

function ReadNote({ id, username }: { id: string; username: Username }) {
  const { note, error, loading, reload } = useNote(id);
  const html = useMemo(() => (note ? renderMarkdown(note.body) : ''), [note]);
  const titleId = useId();
  return (
    <main className="notes">
      <p>
        <Link to="/notes">← All notes</Link>
      </p>
      <NoteLoadState loading={loading && !note} error={error} />
      {note && (
        <article aria-labelledby={titleId} className="note">
          <h1 id={titleId}>{note.title}</h1>
          <p className="meta">
            <RecordBadges pinned={note.pinned} visibility={note.visibility} />
            Updated <time dateTime={note.updatedAt}>{formatDate(note.updatedAt)}</time>
          </p>
          <TagList tags={note.tags} />
          <SiteNotice visibility={note.visibility} username={username} />
          {note.body.trim() === '' ? (
            <p className="empty">This note has no text yet.</p>
          ) : (
            // biome-ignore lint/security/noDangerouslySetInnerHtml: renderMarkdown sanitises with DOMPurify
            <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />
          )}
          <div className="actions record-actions">
            <Link to={`${notePage(note.id)}&edit`} className="button-link">
              Edit
            </Link>
            <DeleteNote note={note} onStale={() => void reload()} />
          </div>
        </article>
      )}
    </main>
  );
}

/** While the note loads, and why it could not. */
function NoteLoadState({ loading, error }: { loading: boolean; error: string | undefined }) {
  return (
    <>
      {loading && (
        <p className="empty" aria-busy="true">
          Loading…
        </p>
      )}
      <p role="alert" className="error">
        {error}
      </p>
    </>
  );
}

/** Where a public note can be read: the user's site, or how to get one. */
function SiteNotice({ visibility, username }: { visibility: Visibility; username: Username }) {
  if (visibility !== 'public' || username === undefined) return null;
  return (
    <p className="notice">
      {username ? (
        <>
          Public: anyone can read it on your site, <Link to={`/u/${encodeURIComponent(username)}`}>/u/{username}</Link>.
        </>
      ) : (
        <>
          Public, but you have no site yet: pick a username on the <Link to="/account">Account page</Link> and your
          public notes appear at /u/&lt;username&gt;.
        </>
      )}
    </p>
  );
}

/** Delete asks once more, in place, rather than in a browser dialog. */
function DeleteNote({ note, onStale }: { note: Note; onStale: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const remove = async () => {
    setBusy(true);
    try {
      await session.call(noteUrl(note.id), { method: 'DELETE', headers: { 'if-match': `"${note.version}"` } });
      navigate('/notes', { replace: true });
    } catch (caught) {
      setBusy(false);
      setConfirming(false);
      if (caught instanceof ApiError && caught.status === 412) {
        setError('This note was changed elsewhere, so it was not deleted: it now shows the latest version.');
        onStale();
      } else setError(errorText(caught));
    }
  };
  if (!confirming) {
    return (
      <>
        <button type="button" className="secondary danger" onClick={() => setConfirming(true)}>
          Delete
        </button>
        <p role="alert" className="error">
          {error}
        </p>
      </>
    );
  }
  return (
    <Confirm
      question={`Delete “${note.title}” for good?`}
      confirm="Delete note"
      busy={busy}
      onConfirm={() => void remove()}
      onCancel={() => setConfirming(false)}
    />
  );
}

function NewNote() {
  const create = async (fields: NoteFields) => {
    const note = await session.call<Note>('/v1/notes', {
      method: 'POST',
      body: fields,
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    navigate(notePage(note.id), { replace: true });
  };
  return (
    <main className="notes">
      <h1>New note</h1>
      <NoteForm label="New note" submit="Save note" onSave={create} />
      <p>
        <Link to="/notes">Cancel</Link>
      </p>
    </main>
  );
}

function EditNote({ id }: { id: string }) {
  const { note, error, loading, reload } = useNote(id);
  /** The text the user wrote when their save was refused because the note had changed. */
  const [unsaved, setUnsaved] = useState<string>();

  const save = async (fields: NoteFields) => {
    if (!note) return;
    try {
      await session.call<Note>(noteUrl(id), {
        method: 'PATCH',
        body: fields,
        headers: { 'if-match': `"${note.version}"` },
      });
      navigate(notePage(id), { replace: true });
    } catch (caught) {
      if (!(caught instanceof ApiError && caught.status === 412)) throw caught;
      // The notice says the form shows the latest version: show it once that is true.
      await reload();
      setUnsaved(fields.body);
    }
  };

  return (
    <main className="notes">
      <h1>Edit note</h1>
      <NoteLoadState loading={loading && !note} error={error} />
      {unsaved !== undefined && <ConflictNotice unsaved={unsaved} />}
      {note && (
        // A new version (after a conflict) starts the form afresh from it.
        <NoteForm key={note.version} note={note} label="Edit note" submit="Save changes" onSave={save} />
      )}
      <p>
        <Link to={notePage(id)}>Cancel</Link>
      </p>
    </main>
  );
}

function ConflictNotice({ unsaved }: { unsaved: string }) {
  return (
    <div className="notice conflict" role="alert">
      <p>
        This note was changed elsewhere (in another tab or device) while you edited it, so your changes were not saved.
        The form now shows the latest version: make your changes again and save.
      </p>
      <label className="field">
        <span>Your unsaved text, to copy from</span>
        <textarea readOnly value={unsaved} rows={4} />
      </label>
    </div>
  );
}

function NoteForm({
  note,
  label,
  submit,
  onSave,
}: {
  note?: Note;
  label: string;
  submit: string;
  onSave: (fields: NoteFields) => Promise<void>;
}) {
  // The body is held in state so the preview follows every keystroke.
  const [body, setBody] = useState(note?.body ?? '');
  const [preview, setPreview] = useState(false);
  const bodyId = useId();
  return (
    <Form
      label={label}
      submit={submit}
      onSubmit={(data) =>
        onSave({
          title: text(data, 'title').trim(),
          body,
          tags: parseTags(text(data, 'tags')),
          pinned: data.get('pinned') === 'on',
          visibility: visibilityOf(data),
        })
      }
    >
      <label className="field">
        <span>Title</span>
        <input name="title" type="text" required maxLength={200} defaultValue={note?.title} autoComplete="off" />
      </label>
      <div className="field">
        <label htmlFor={bodyId}>Body (Markdown)</label>
        <textarea id={bodyId} name="body" rows={10} value={body} onChange={(event) => setBody(event.target.value)} />
      </div>
      <label className="check">
        <input type="checkbox" checked={preview} onChange={(event) => setPreview(event.target.checked)} />
        Show preview
      </label>
      {preview && <Preview body={body} />}
      <TagsField defaultValue={note?.tags} />
      <label className="check">
        <input type="checkbox" name="pinned" defaultChecked={note?.pinned} />
        Pin to the top
      </label>
      <VisibilityField defaultValue={note?.visibility} />
    </Form>
  );
}

function Preview({ body }: { body: string }): ReactNode {
  const html = useMemo(() => renderMarkdown(body), [body]);
  return (
    <section className="preview" aria-label="Preview">
      {body.trim() === '' ? (
        <p className="empty">Nothing to preview yet.</p>
      ) : (
        // biome-ignore lint/security/noDangerouslySetInnerHtml: renderMarkdown sanitises with DOMPurify
        <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />
      )}
    </section>
  );
}

const formatDate = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });

// Bookmarks: add one (a URL without a scheme gets https://), list them newest first in pages,
// filter by a tag (`?tag=` in the address, so back and reload keep the filter), edit and delete
// in place. The API keeps one bookmark per URL and answers a second with 409: its message, which
// names the URL, is shown as it is. An edit sends If-Match; a 412 reloads the bookmark and says so.
import { useState } from 'react';
import { ApiError, errorText } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { Form, text } from '../form.tsx';
import { ShowMore, usePages } from '../pages.tsx';
import { navigate, useLocation } from '../router.ts';
import { session } from '../session.ts';
import { parseTags, TagList, TagsField, type Visibility, VisibilityField, visibilityOf } from '../tags.tsx';
import './notes.css';

interface Bookmark {
  id: string;
  version: number;
  url: string;
  title: string;
  description: string;
  tags: string[];
  visibility: Visibility;
  createdAt: string;
  updatedAt: string;
}

type BookmarkFields = Pick<Bookmark, 'url' | 'title' | 'description' | 'tags' | 'visibility'>;

const PAGE = 20;
const bookmarkUrl = (id: string) => `/v1/bookmarks/${encodeURIComponent(id)}`;
const showTag = (tag: string | undefined) => navigate(tag ? `/bookmarks?tag=${encodeURIComponent(tag)}` : '/bookmarks');

export function Bookmarks() {
  const tag = useLocation().searchParams.get('tag')?.trim().toLowerCase() || undefined;
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (tag) query.set('tag', tag);
  const bookmarks = usePages<Bookmark>(`/v1/bookmarks?${query}`);
  const [adding, setAdding] = useState(false);
  /** Announced to screen readers, since the form they were in closes. */
  const [status, setStatus] = useState<string>();

  const added = (bookmark: Bookmark) => {
    setAdding(false);
    setStatus(`Added “${bookmark.title}”.`);
    if (!tag || bookmark.tags.includes(tag)) bookmarks.setItems((shown) => [bookmark, ...shown]);
  };
  const replace = (next: Bookmark) => bookmarks.setItems((shown) => shown.map((b) => (b.id === next.id ? next : b)));
  const removed = (id: string) => bookmarks.setItems((shown) => shown.filter((b) => b.id !== id));

  return (
    <main className="bookmarks">
      <div className="screen-head">
        <h1>Bookmarks</h1>
        <button
          type="button"
          aria-expanded={adding}
          onClick={() => {
            setAdding(!adding);
            setStatus(undefined);
          }}
        >
          {adding ? 'Close' : 'Add a bookmark'}
        </button>
      </div>
      {adding && (
        <BookmarkForm
          label="Add a bookmark"
          submit="Add bookmark"
          onSave={async (fields) =>
            added(
              await session.call<Bookmark>('/v1/bookmarks', {
                method: 'POST',
                body: fields,
                headers: { 'idempotency-key': crypto.randomUUID() },
              }),
            )
          }
        />
      )}
      <p role="status" className="visually-hidden">
        {status}
      </p>
      <TagFilter tag={tag} />
      <p role="alert" className="error">
        {bookmarks.error}
      </p>
      <ul className="rows record-list" aria-label="Bookmarks" aria-busy={bookmarks.loading}>
        {bookmarks.items.map((bookmark) => (
          <BookmarkItem key={bookmark.id} bookmark={bookmark} onChange={replace} onDelete={removed} />
        ))}
      </ul>
      {!bookmarks.loading && bookmarks.items.length === 0 && !bookmarks.error && (
        <p className="empty">
          {tag ? `No bookmarks are tagged #${tag}.` : 'No bookmarks yet: add your first with “Add a bookmark”.'}
        </p>
      )}
      {bookmarks.loading && <p className="empty">Loading…</p>}
      <ShowMore pages={bookmarks} className="secondary more" />
    </main>
  );
}

function TagFilter({ tag }: { tag: string | undefined }) {
  if (tag) {
    return (
      <p className="filter-state">
        Showing bookmarks tagged <strong>#{tag}</strong>.{' '}
        <button type="button" className="secondary" onClick={() => showTag(undefined)}>
          Show all
        </button>
      </p>
    );
  }
  return (
    <search>
      <form
        aria-label="Filter bookmarks"
        className="tag-filter"
        onSubmit={(event) => {
          event.preventDefault();
          showTag(parseTags(text(new FormData(event.currentTarget), 'tag'))[0]);
        }}
      >
        <label className="visually-hidden" htmlFor="bookmark-tag-filter">
          Filter by tag
        </label>
        <input id="bookmark-tag-filter" name="tag" type="text" placeholder="Filter by tag" autoCapitalize="none" />
        <button type="submit" className="secondary">
          Filter
        </button>
      </form>
    </search>
  );
}

function BookmarkItem({
  bookmark,
  onChange,
  onDelete,
}: {
  bookmark: Bookmark;
  onChange: (bookmark: Bookmark) => void;
  onDelete: (id: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string>();

  /** After a 412: the bookmark as it is now, and why the user sees it again. */
  const reloadStale = async (why: string) => {
    try {
      onChange(await session.call<Bookmark>(bookmarkUrl(bookmark.id)));
      setNotice(why);
    } catch (caught) {
      setNotice(errorText(caught));
    }
  };

  const save = async (fields: BookmarkFields) => {
    try {
      onChange(
        await session.call<Bookmark>(bookmarkUrl(bookmark.id), {
          method: 'PATCH',
          body: fields,
          headers: { 'if-match': `"${bookmark.version}"` },
        }),
      );
      setEditing(false);
      setNotice(undefined);
    } catch (caught) {
      if (!(caught instanceof ApiError && caught.status === 412)) throw caught;
      await reloadStale('This bookmark was changed elsewhere, so your changes were not saved: here is the latest.');
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await session.call(bookmarkUrl(bookmark.id), {
        method: 'DELETE',
        headers: { 'if-match': `"${bookmark.version}"` },
      });
      onDelete(bookmark.id);
    } catch (caught) {
      setBusy(false);
      setConfirming(false);
      if (caught instanceof ApiError && caught.status === 412) {
        await reloadStale('This bookmark was changed elsewhere, so it was not deleted: here is the latest.');
      } else setNotice(errorText(caught));
    }
  };

  return (
    <li>
      {notice && (
        <p role="alert" className="notice">
          {notice}
        </p>
      )}
      {editing ? (
        <>
          <BookmarkForm
            key={bookmark.version}
            bookmark={bookmark}
            label={`Edit ${bookmark.title}`}
            submit="Save changes"
            onSave={save}
          />
          <button type="button" className="secondary" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </>
      ) : (
        <BookmarkView bookmark={bookmark} />
      )}
      {!editing && !confirming && (
        <div className="actions record-actions">
          <button
            type="button"
            className="secondary"
            aria-label={`Edit ${bookmark.title}`}
            onClick={() => {
              setNotice(undefined);
              setEditing(true);
            }}
          >
            Edit
          </button>
          <button
            type="button"
            className="secondary danger"
            aria-label={`Delete ${bookmark.title}`}
            onClick={() => setConfirming(true)}
          >
            Delete
          </button>
        </div>
      )}
      {confirming && (
        <Confirm
          question={`Delete “${bookmark.title}”?`}
          confirm="Delete bookmark"
          busy={busy}
          onConfirm={() => void remove()}
          onCancel={() => setConfirming(false)}
        />
      )}
    </li>
  );
}

function BookmarkView({ bookmark }: { bookmark: Bookmark }) {
  // The API only stores http(s) URLs; checked again here because this becomes a link.
  const linkable = /^https?:\/\//i.test(bookmark.url);
  return (
    <>
      {linkable ? (
        <a className="record-title" href={bookmark.url} target="_blank" rel="noopener noreferrer">
          {bookmark.title}
        </a>
      ) : (
        <span className="record-title">{bookmark.title}</span>
      )}
      <span className="badges">
        <span className="host">{hostOf(bookmark.url)}</span>
        {bookmark.visibility === 'public' && <span className="pill public">Public</span>}
      </span>
      {bookmark.description && <p className="excerpt">{bookmark.description}</p>}
      <TagList tags={bookmark.tags} onSelect={showTag} />
    </>
  );
}

function BookmarkForm({
  bookmark,
  label,
  submit,
  onSave,
}: {
  bookmark?: Bookmark;
  label: string;
  submit: string;
  onSave: (fields: BookmarkFields) => Promise<void>;
}) {
  return (
    <Form
      label={label}
      submit={submit}
      onSubmit={(data) =>
        onSave({
          url: withScheme(text(data, 'url').trim()),
          title: text(data, 'title').trim(),
          description: text(data, 'description'),
          tags: parseTags(text(data, 'tags')),
          visibility: visibilityOf(data),
        })
      }
    >
      <label className="field">
        <span>URL</span>
        <input
          name="url"
          type="text"
          inputMode="url"
          required
          maxLength={2048}
          autoCapitalize="none"
          autoComplete="url"
          defaultValue={bookmark?.url}
          placeholder="https://"
        />
      </label>
      <label className="field">
        <span>Title</span>
        <input name="title" type="text" required maxLength={300} defaultValue={bookmark?.title} autoComplete="off" />
      </label>
      <label className="field">
        <span>Description</span>
        <textarea name="description" rows={3} defaultValue={bookmark?.description} />
      </label>
      <TagsField defaultValue={bookmark?.tags} />
      <VisibilityField defaultValue={bookmark?.visibility} />
    </Form>
  );
}

/** "example.com/page" means https://example.com/page; anything with a scheme is left to the API. */
const withScheme = (url: string) => (/^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `https://${url}`);

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

// A user's public site at /u/<username>: their profile, public notes (as sanitised Markdown) and
// public bookmarks, read the same signed in or out, so it is fetched without a token. Everything
// on it was written by the site's owner for strangers to read: links to it carry
// rel="nofollow ugc" and the website is only a link when it is http(s). The API lets browsers
// cache the page for a minute; someone signed in (likely its owner, who just changed a note)
// asks for it to be revalidated instead, which costs a 304 when nothing changed.
import { useEffect, useMemo, useState } from 'react';
import { ApiError, errorText, request } from '../api.ts';
import { renderMarkdown } from '../markdown.ts';
import { Link } from '../router.ts';
import { session } from '../session.ts';
import { TagList } from '../tags.tsx';
import './notes.css';

interface Site {
  profile: { username: string; name: string; bio?: string; website?: string; pictureUrl?: string };
  notes: Array<{ id: string; title: string; body: string; tags: string[]; pinned: boolean; updatedAt: string }>;
  bookmarks: Array<{ id: string; url: string; title: string; description: string; tags: string[]; createdAt: string }>;
}

type SiteState = { status: 'loading' } | { status: 'missing' } | { status: 'failed'; error: string } | Site;

const OUTSIDE_REL = 'noopener noreferrer nofollow ugc';

export function PublicSite({ username }: { username: string }) {
  const state = useSite(username);
  useDocumentTitle('profile' in state ? state.profile.name : state.status === 'missing' ? 'No site here' : undefined);

  if ('profile' in state) return <SiteView site={state} />;
  if (state.status === 'missing') {
    return (
      <main className="site">
        <h1>No site here</h1>
        <p>Nobody has a public site at /u/{username}.</p>
        <p>
          <Link to="/">Go to Stratus</Link>
        </p>
      </main>
    );
  }
  return (
    <main className="site" aria-busy={state.status === 'loading'}>
      {state.status === 'loading' ? (
        <p className="empty">Loading…</p>
      ) : (
        <p role="alert" className="error">
          {state.error}
        </p>
      )}
    </main>
  );
}

function useSite(username: string): SiteState {
  const [state, setState] = useState<SiteState>({ status: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    const revalidate = session.state.status !== 'signedOut';
    request<Site>(`/v1/sites/${encodeURIComponent(username)}`, {
      signal: controller.signal,
      ...(revalidate ? { headers: { 'cache-control': 'max-age=0' } } : {}),
    })
      .then(setState)
      .catch((caught: unknown) => {
        if ((caught as Error).name === 'AbortError') return;
        // 400 is a name no one could hold (wrong characters): no site either.
        if (caught instanceof ApiError && (caught.status === 404 || caught.status === 400)) {
          setState({ status: 'missing' });
        } else setState({ status: 'failed', error: errorText(caught) });
      });
    return () => controller.abort();
  }, [username]);
  return state;
}

/** The tab shows whose site this is; the app's own title comes back on leaving. */
function useDocumentTitle(title: string | undefined) {
  useEffect(() => {
    if (title === undefined) return;
    const previous = document.title;
    document.title = title;
    return () => {
      document.title = previous;
    };
  }, [title]);
}

function SiteView({ site }: { site: Site }) {
  const { profile, notes, bookmarks } = site;
  return (
    <main className="site">
      <header className="site-profile">
        {profile.pictureUrl && isSameOrigin(profile.pictureUrl) && (
          <img src={profile.pictureUrl} alt="" width={72} height={72} />
        )}
        <div>
          <h1>{profile.name}</h1>
          <p className="meta">@{profile.username}</p>
        </div>
      </header>
      {profile.bio && <p className="site-bio">{profile.bio}</p>}
      {profile.website && <Website url={profile.website} />}

      <section aria-labelledby="site-notes">
        <h2 id="site-notes">Notes</h2>
        {notes.length === 0 && <p className="empty">No public notes yet.</p>}
        {notes.map((note) => (
          <SiteNote key={note.id} note={note} />
        ))}
      </section>

      <section aria-labelledby="site-bookmarks">
        <h2 id="site-bookmarks">Bookmarks</h2>
        {bookmarks.length === 0 ? (
          <p className="empty">No public bookmarks yet.</p>
        ) : (
          <ul className="rows record-list" aria-label="Public bookmarks">
            {bookmarks.map((bookmark) => (
              <li key={bookmark.id}>
                {/^https?:\/\//i.test(bookmark.url) ? (
                  <a className="record-title" href={bookmark.url} rel={OUTSIDE_REL}>
                    {bookmark.title}
                  </a>
                ) : (
                  <span className="record-title">{bookmark.title}</span>
                )}
                {bookmark.description && <p className="excerpt">{bookmark.description}</p>}
                <TagList tags={bookmark.tags} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <footer className="site-footer">
        <Link to="/">Made with Stratus</Link>
      </footer>
    </main>
  );
}

function SiteNote({ note }: { note: Site['notes'][number] }) {
  const html = useMemo(() => renderMarkdown(note.body), [note.body]);
  const titleId = `note-${note.id}`;
  return (
    <article className="note card" aria-labelledby={titleId}>
      <h3 id={titleId}>{note.title}</h3>
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: renderMarkdown sanitises with DOMPurify */}
      <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />
      <TagList tags={note.tags} />
      <p className="meta">
        Updated{' '}
        <time dateTime={note.updatedAt}>
          {new Date(note.updatedAt).toLocaleDateString(undefined, { dateStyle: 'medium' })}
        </time>
      </p>
    </article>
  );
}

/** The owner's website: a link only when it is http(s), shown without the scheme. */
function Website({ url }: { url: string }) {
  const linkable = /^https?:\/\//i.test(url);
  const label = url.replace(/^https?:\/\//i, '').replace(/\/$/, '');
  return (
    <p className="site-website">
      {linkable ? (
        <a href={url} rel={OUTSIDE_REL}>
          {label}
        </a>
      ) : (
        label
      )}
    </p>
  );
}

function isSameOrigin(url: string): boolean {
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

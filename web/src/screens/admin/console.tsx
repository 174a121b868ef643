// The operator console at /admin: users, the table's data, the event queue, the outbox, request
// metrics and the audit log, one page each at /admin/<page> (plain paths, so a reload or a shared
// link opens the same page). Whether someone may see it is the API's call, not the token's: the
// pages load as for anyone, and the first 403 replaces the whole console with one sentence, so a
// non-admin who types /admin sees why rather than six broken pages. The sections are a row of
// links that wraps on a phone and a side list on a wide screen (admin.css).
import './admin.css';
import { type ComponentType, useState } from 'react';
import { Link, useLocation } from '../../router.ts';
import { ForbiddenContext } from './admin-model.ts';
import { AuditLogPage } from './audit.tsx';
import { DataPage } from './data.tsx';
import { MetricsPage } from './metrics.tsx';
import { OutboxPage } from './outbox.tsx';
import { QueuePage } from './queue.tsx';
import { UsersPage } from './users.tsx';

const pages: { slug: string; label: string; Page: ComponentType }[] = [
  { slug: 'users', label: 'Users', Page: UsersPage },
  { slug: 'data', label: 'Data', Page: DataPage },
  { slug: 'queue', label: 'Queue', Page: QueuePage },
  { slug: 'outbox', label: 'Outbox', Page: OutboxPage },
  { slug: 'metrics', label: 'Metrics', Page: MetricsPage },
  { slug: 'audit', label: 'Audit log', Page: AuditLogPage },
];

export function Admin() {
  const { pathname } = useLocation();
  const [forbidden, setForbidden] = useState<string>();
  const slug = /^\/admin\/([^/]+)/.exec(pathname)?.[1];
  const current = pages.find((page) => page.slug === slug) ?? pages[0];

  if (forbidden !== undefined) return <NotAnAdmin said={forbidden} />;
  if (!current) return null;
  const { Page } = current;
  return (
    <main className="admin">
      <h1>Operator console</h1>
      <div className="admin-layout">
        <nav className="admin-nav" aria-label="Console sections">
          {pages.map((page) => (
            <Link key={page.slug} to={`/admin/${page.slug}`} current={page === current}>
              {page.label}
            </Link>
          ))}
        </nav>
        <ForbiddenContext.Provider value={setForbidden}>
          <section className="admin-page" aria-labelledby="admin-page-heading">
            {/* A new page per section: nothing half-loaded carries over from the last one. */}
            <Page key={current.slug} />
          </section>
        </ForbiddenContext.Provider>
      </div>
    </main>
  );
}

/** What a signed-in user outside the admins group sees: the sentence, and the API's own words. */
function NotAnAdmin({ said }: { said: string }) {
  return (
    <main className="admin">
      <h1>Operator console</h1>
      <div className="notice" role="alert">
        <p>The operator console is for administrators.</p>
        {said && <p className="hint">{said}</p>}
      </div>
      <p>
        <Link to="/">Back to your to-dos</Link>
      </p>
    </main>
  );
}

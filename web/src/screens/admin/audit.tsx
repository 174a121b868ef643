// The console's Audit log page: every operator action, newest first, with who did it (email, or
// id when there is none), what, to whom, when and from where; older entries a page at a time.
// The API checks the log's hash chain over what it reads: when it does not hold, a banner at the
// top says at which entry the log was changed behind the console's back.
import { ShowMore } from '../../pages.tsx';
import { type AuditEntry, type AuditPage, type Paging, useAdminPages } from './admin-model.ts';

const PAGE = 50;
/** To the second: two actions a moment apart must read apart. */
const atFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const AUDIT_PAGING: Paging<AuditPage, AuditEntry> = {
  items: (body) => body.entries,
  next: (body) => body.before,
  param: 'before',
};

/** What each action means, for people; the action's own name is shown beside it. */
const ACTIONS: Record<string, string> = {
  'user.disable': 'Disabled an account',
  'user.enable': 'Enabled an account',
  'user.sign-out': 'Signed an account out everywhere',
  'user.delete': 'Deleted an account',
  'queue.replay': 'Replayed a dead letter',
  'queue.drop': 'Dropped a dead letter',
  'admin.grant': 'Made an account an admin',
  'admin.revoke': 'Took admin away from an account',
};

export function AuditLogPage() {
  const log = useAdminPages(`/v1/admin/audit?limit=${PAGE}`, AUDIT_PAGING);
  const broken = log.bodies.find((body) => !body.chain.intact)?.chain;

  return (
    <>
      <h2 id="admin-page-heading">Audit log</h2>
      {broken && (
        <div className="admin-broken" role="alert">
          <strong>
            The audit log was changed outside the console
            {broken.at === undefined ? '' : ` at entry ${broken.at}`}.
          </strong>{' '}
          Entries from there on cannot be trusted as written.
        </div>
      )}
      <p role="alert" className="error">
        {log.error}
      </p>
      <ol className="rows admin-audit" aria-label="Audit entries, newest first" aria-busy={log.loading}>
        {log.items.map((entry) => (
          <Entry key={entry.seq} entry={entry} />
        ))}
      </ol>
      {!log.loading && log.items.length === 0 && !log.error && <p className="empty">Nothing has been done yet.</p>}
      {log.loading && <p className="empty">Loading…</p>}
      <ShowMore pages={{ nextCursor: log.next, loading: log.loading, load: log.load }} className="secondary" />
    </>
  );
}

function Entry({ entry }: { entry: AuditEntry }) {
  const details = Object.entries(entry.details ?? {});
  return (
    <li className="admin-entry">
      <p className="admin-entry-head">
        <strong>{ACTIONS[entry.action] ?? entry.action}</strong> <code>{entry.action}</code>
        <span className="hint">#{entry.seq}</span>
      </p>
      <dl className="admin-facts">
        <dt>Who</dt>
        <dd>{entry.actor.email ?? entry.actor.sub}</dd>
        <dt>Target</dt>
        <dd>
          <code>{entry.target}</code>
        </dd>
        <dt>When</dt>
        <dd>
          <time dateTime={entry.at}>{atFormat.format(new Date(entry.at))}</time>
        </dd>
        <dt>From</dt>
        <dd>
          {entry.origin.address}
          {entry.origin.userAgent && <span className="admin-agent">{entry.origin.userAgent}</span>}
        </dd>
        {details.map(([name, value]) => (
          <Detail key={name} name={name} value={value} />
        ))}
      </dl>
    </li>
  );
}

function Detail({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>{name.charAt(0).toUpperCase() + name.slice(1)}</dt>
      <dd>{value}</dd>
    </>
  );
}

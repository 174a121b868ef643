// The console's Users page: find accounts by email prefix or part of the name, a page at a time,
// see each one's state (enabled, MFA, admin) and act on it: disable (which also ends every
// session), enable, sign out everywhere, delete. Delete is asked twice, the second time by typing
// the account's email, because it takes everything the account owns with it. What the API
// refuses (your own account, 409) is said on the row, in its words.
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { Confirm } from '../../confirm.tsx';
import { dateTimeFormat } from '../../format.ts';
import { ShowMore } from '../../pages.tsx';
import { Link } from '../../router.ts';
import { session } from '../../session.ts';
import { ADMINS_GROUP, type AdminUser, type Paging, useAdminAction, useAdminPages } from './admin-model.ts';

const PAGE = 25;
const USER_PAGING: Paging<{ users: AdminUser[]; next?: string }, AdminUser> = {
  items: (body) => body.users,
  next: (body) => body.next,
  param: 'after',
};

const userPath = (user: AdminUser) => `/v1/admin/users/${encodeURIComponent(user.sub)}`;

export function UsersPage() {
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<string>();
  const searchId = useId();
  const address = `/v1/admin/users?limit=${PAGE}${query ? `&query=${encodeURIComponent(query)}` : ''}`;
  const users = useAdminPages(address, USER_PAGING);

  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setStatus(undefined);
    setQuery(String(new FormData(event.currentTarget).get('query') ?? '').trim());
  };
  const replace = (changed: AdminUser) =>
    users.setItems((shown) => shown.map((user) => (user.sub === changed.sub ? changed : user)));
  const remove = (gone: AdminUser) => users.setItems((shown) => shown.filter((user) => user.sub !== gone.sub));

  return (
    <>
      <h2 id="admin-page-heading">Users</h2>
      <form aria-label="Search users" className="admin-search" onSubmit={search}>
        <label className="field" htmlFor={searchId}>
          Email prefix or part of the name
        </label>
        <div className="admin-search-row">
          <input id={searchId} name="query" type="search" maxLength={200} autoComplete="off" spellCheck={false} />
          <button type="submit">Search</button>
        </div>
      </form>
      <p role="status" className="status">
        {status}
      </p>
      <p role="alert" className="error">
        {users.error}
      </p>
      <ul className="rows admin-users" aria-label="Users" aria-busy={users.loading}>
        {users.items.map((user) => (
          <UserRow key={user.sub} user={user} onChanged={replace} onDeleted={remove} onDone={setStatus} />
        ))}
      </ul>
      {!users.loading && users.items.length === 0 && !users.error && (
        <p className="empty">
          {query ? `No user’s email starts with, or name contains, “${query}”.` : 'No users yet.'}
        </p>
      )}
      {users.loading && <p className="empty">Loading…</p>}
      <ShowMore pages={{ nextCursor: users.next, loading: users.loading, load: users.load }} className="secondary" />
    </>
  );
}

function UserRow({
  user,
  onChanged,
  onDeleted,
  onDone,
}: {
  user: AdminUser;
  onChanged: (user: AdminUser) => void;
  onDeleted: (user: AdminUser) => void;
  onDone: (said: string) => void;
}) {
  const action = useAdminAction();
  const [deleting, setDeleting] = useState(false);
  const act = async (path: 'disable' | 'enable' | 'sign-out', said: string) => {
    const done = await action.run(async () =>
      onChanged(await session.call<AdminUser>(`${userPath(user)}/${path}`, { method: 'POST' })),
    );
    if (done) onDone(said);
  };
  // The email after each button's word, for screen readers going from button to button.
  const whose = <span className="visually-hidden"> {user.email}</span>;

  return (
    <li className="admin-user">
      <div className="admin-user-who">
        <strong>{user.name || 'No name'}</strong>
        <span>{user.email}</span>
      </div>
      <UserStates user={user} />
      <p className="hint">
        Joined <time dateTime={user.createdAt}>{dateTimeFormat.format(new Date(user.createdAt))}</time>
      </p>
      <div className="actions">
        {user.enabled ? (
          <button
            type="button"
            className="secondary"
            disabled={action.busy}
            onClick={() => void act('disable', `Disabled ${user.email}: they cannot sign in, and every session ended.`)}
          >
            Disable{whose}
          </button>
        ) : (
          <button
            type="button"
            className="secondary"
            disabled={action.busy}
            onClick={() => void act('enable', `Enabled ${user.email}: they can sign in again.`)}
          >
            Enable{whose}
          </button>
        )}
        <button
          type="button"
          className="secondary"
          disabled={action.busy}
          onClick={() => void act('sign-out', `Signed ${user.email} out on every device.`)}
        >
          Sign out everywhere{whose}
        </button>
        <Link className="button-link secondary" to={`/admin/data?partition=${encodeURIComponent(`USER#${user.sub}`)}`}>
          Browse data{whose}
        </Link>
        <button
          type="button"
          className="secondary danger"
          disabled={action.busy || deleting}
          onClick={() => setDeleting(true)}
        >
          Delete{whose}
        </button>
      </div>
      {action.error && (
        <p role="alert" className="error">
          {action.error}
        </p>
      )}
      {deleting && (
        <DeleteUser
          user={user}
          onCancel={() => setDeleting(false)}
          onDeleted={() => {
            onDone(`Deleted ${user.email}; what they owned is being removed.`);
            onDeleted(user);
          }}
        />
      )}
    </li>
  );
}

/** The account's state as short labels: enabled or not, MFA, admin, email confirmed. */
function UserStates({ user }: { user: AdminUser }) {
  return (
    <p className="admin-states">
      <span className={user.enabled ? 'state state-on' : 'state state-off'}>
        {user.enabled ? 'Enabled' : 'Disabled'}
      </span>
      <span className="state">{user.mfaEnabled ? 'MFA on' : 'No MFA'}</span>
      {user.groups.includes(ADMINS_GROUP) && <span className="state state-admin">Admin</span>}
      {!user.emailVerified && <span className="state">Email not confirmed</span>}
    </p>
  );
}

/** The second question before a delete, answered by typing the account's email. */
function DeleteUser({ user, onCancel, onDeleted }: { user: AdminUser; onCancel: () => void; onDeleted: () => void }) {
  const action = useAdminAction();
  const [typed, setTyped] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  // Runs after Confirm's own effect (children's effects run first): the typing comes before the answer.
  useEffect(() => input.current?.focus(), []);

  const confirm = () => {
    if (typed.trim().toLowerCase() !== user.email.toLowerCase()) {
      action.setError(`Type ${user.email} exactly to delete this account.`);
      input.current?.focus();
      return;
    }
    void action.run(async () => {
      await session.call(userPath(user), { method: 'DELETE' });
      onDeleted();
    });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') confirm();
  };

  return (
    <Confirm
      question={`Delete ${user.email} and everything they own?`}
      confirm="Delete account"
      busy={action.busy}
      onConfirm={confirm}
      onCancel={onCancel}
    >
      <p>This cannot be undone.</p>
      <label className="field" htmlFor={inputId}>
        Type their email to confirm
      </label>
      <input
        id={inputId}
        ref={input}
        type="text"
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
        onKeyDown={onKeyDown}
        autoComplete="off"
        spellCheck={false}
      />
      {action.error && (
        <p role="alert" className="error">
          {action.error}
        </p>
      )}
    </Confirm>
  );
}

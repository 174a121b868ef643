// The console's Data page: a read-only look at one partition of the single table (or of an index,
// GSI1 or GSI2), a page at a time, each item as formatted JSON under the name of the app it
// belongs to. The partition is in the address (/admin/data?partition=USER%23…), so the Users
// page can link to a user's items and a reload shows the same ones.
import { type FormEvent, useId } from 'react';
import { ShowMore } from '../../pages.tsx';
import { navigate, useLocation } from '../../router.ts';
import { type Paging, type TableItem, useAdminPages } from './admin-model.ts';

const PAGE = 25;
const INDEXES = ['GSI1', 'GSI2'] as const;
const ITEM_PAGING: Paging<{ items: TableItem[]; cursor?: string }, TableItem> = {
  items: (body) => body.items,
  next: (body) => body.cursor,
  param: 'cursor',
};

export function DataPage() {
  const query = useLocation().searchParams;
  const partition = query.get('partition') ?? '';
  const index = INDEXES.find((name) => name === query.get('index'));
  const partitionId = useId();
  const indexId = useId();
  const address = partition
    ? `/v1/admin/items?limit=${PAGE}&partition=${encodeURIComponent(partition)}${index ? `&index=${index}` : ''}`
    : undefined;
  const items = useAdminPages(address, ITEM_PAGING);

  const show = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const next = new URLSearchParams({ partition: String(data.get('partition') ?? '').trim() });
    const chosen = String(data.get('index') ?? '');
    if (chosen) next.set('index', chosen);
    navigate(`/admin/data?${next}`);
  };

  return (
    <>
      <h2 id="admin-page-heading">Data</h2>
      <p className="hint">
        Read-only. A user’s own items are under <code>USER#</code> and their id (the Users page links to them).
      </p>
      {/* A new form per address, so the fields show what is on screen after back and forward. */}
      <form key={`${partition}|${index ?? ''}`} className="card admin-query" aria-label="Partition" onSubmit={show}>
        <label className="field" htmlFor={partitionId}>
          Partition key
        </label>
        <input
          id={partitionId}
          name="partition"
          type="text"
          required
          maxLength={1024}
          defaultValue={partition}
          autoComplete="off"
          spellCheck={false}
        />
        <label className="field" htmlFor={indexId}>
          Index
        </label>
        <select id={indexId} name="index" defaultValue={index ?? ''}>
          <option value="">The table itself</option>
          {INDEXES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <button type="submit">Show items</button>
      </form>
      <p role="alert" className="error">
        {items.error}
      </p>
      <ul className="admin-items" aria-label="Items" aria-busy={items.loading}>
        {items.items.map(({ app, item }) => (
          <ItemView key={`${String(item.PK)}|${String(item.SK)}`} app={app} item={item} />
        ))}
      </ul>
      {!partition && <p className="empty">Give a partition key to see its items.</p>}
      {partition && !items.loading && items.items.length === 0 && !items.error && (
        <p className="empty">Nothing in this partition{index ? ` of ${index}` : ''}.</p>
      )}
      {items.loading && <p className="empty">Loading…</p>}
      <ShowMore pages={{ nextCursor: items.next, loading: items.loading, load: items.load }} className="secondary" />
    </>
  );
}

function ItemView({ app, item }: { app: string; item: Record<string, unknown> }) {
  const labelId = useId();
  return (
    <li className="card admin-item" aria-labelledby={labelId}>
      <p id={labelId} className="admin-item-label">
        <span className="state state-app">{app}</span> <code>{String(item.SK ?? item.PK ?? '')}</code>
      </p>
      <pre>{JSON.stringify(item, null, 2)}</pre>
    </li>
  );
}

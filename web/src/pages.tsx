// A list the API hands out a page at a time (`Page<T>`: items and nextCursor), as one hook for
// the screens that list notes, bookmarks and API keys: the first page loads when the address
// changes, `load(cursor)` appends the next page, `load()` starts again from the top. The Files
// screen keeps its own loader, since it must also drop answers for a folder no longer shown, but
// shares the Show more button, which needs only the cursor, the loading flag and load.
import { type Dispatch, type SetStateAction, useCallback, useEffect, useState } from 'react';
import { errorText, type Page } from './api.ts';
import { session } from './session.ts';

export interface Pages<T> {
  items: T[];
  /** For screens that change the list in place (add, edit, remove) without reloading it. */
  setItems: Dispatch<SetStateAction<T[]>>;
  nextCursor: string | undefined;
  loading: boolean;
  error: string | undefined;
  load: (cursor?: string) => Promise<void>;
}

/** `address` is the list's path with its query (limit, filters); the cursor is added to it. */
export function usePages<T>(address: string): Pages<T> {
  const [items, setItems] = useState<T[]>([]);
  const [nextCursor, setNextCursor] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const load = useCallback(
    async (cursor?: string) => {
      setLoading(true);
      try {
        const separator = address.includes('?') ? '&' : '?';
        const url = cursor ? `${address}${separator}cursor=${encodeURIComponent(cursor)}` : address;
        const page = await session.call<Page<T>>(url);
        setItems((shown) => (cursor ? [...shown, ...page.items] : page.items));
        setNextCursor(page.nextCursor);
        setError(undefined);
      } catch (caught) {
        setError(errorText(caught));
      } finally {
        setLoading(false);
      }
    },
    [address],
  );
  useEffect(() => {
    void load();
  }, [load]);
  return { items, setItems, nextCursor, loading, error, load };
}

/** Asks for the next page; absent while one loads or when there is none. */
export function ShowMore({
  pages,
  className,
}: {
  pages: { nextCursor: string | undefined; loading: boolean; load: (cursor?: string) => Promise<unknown> };
  className: string;
}) {
  const { nextCursor, loading, load } = pages;
  if (!nextCursor || loading) return null;
  return (
    <button type="button" className={className} onClick={() => void load(nextCursor)}>
      Show more
    </button>
  );
}

// The bell in the header bar: a link to /notifications that carries the unread count. The count
// is asked for every 30 s while the page is visible, at once when the page comes back into view
// or the window regains focus, and whenever a screen calls `refreshUnread()` (the notifications
// page does, after marking read) — a hidden tab asks nothing, so an idle tab costs the API nothing.
// A failed ask keeps the last count: the bell is a hint, not a place to show errors.
// Its look is in screens/notifications.css, imported here because the bell is on every screen
// while the notifications screen (which shares the sheet) loads only when opened.
import './screens/notifications.css';
import { useEffect, useState } from 'react';
import { Link, useLocation } from './router.ts';
import { session } from './session.ts';

const POLL_MS = 30_000;

interface UnreadCount {
  unread: number;
  /** More than the API counts exactly (100): shown as "99+". */
  capped: boolean;
}

const refreshes = new EventTarget();

/** Asks the bell to read the unread count again now (after marking notifications read). */
export function refreshUnread(): void {
  refreshes.dispatchEvent(new Event('refresh'));
}

/** The unread count, kept fresh while the page is visible; undefined until first read. */
function useUnreadCount(): UnreadCount | undefined {
  const [count, setCount] = useState<UnreadCount>();
  useEffect(() => {
    let stopped = false;
    const read = async () => {
      try {
        const next = await session.call<UnreadCount>('/v1/notifications/unread-count');
        if (!stopped) setCount(next);
      } catch {
        // Offline or refused: keep the last count (a 401 already signs out in session.call).
      }
    };
    const readIfVisible = () => {
      if (document.visibilityState === 'visible') void read();
    };
    void read();
    const timer = setInterval(readIfVisible, POLL_MS);
    const onRefresh = () => void read();
    document.addEventListener('visibilitychange', readIfVisible);
    addEventListener('focus', readIfVisible);
    refreshes.addEventListener('refresh', onRefresh);
    return () => {
      stopped = true;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', readIfVisible);
      removeEventListener('focus', readIfVisible);
      refreshes.removeEventListener('refresh', onRefresh);
    };
  }, []);
  return count;
}

const shownCount = ({ unread, capped }: UnreadCount) => (capped || unread > 99 ? '99+' : String(unread));

export function NotificationBell() {
  const count = useUnreadCount();
  const { pathname } = useLocation();
  const unread = count && count.unread > 0 ? shownCount(count) : undefined;
  return (
    <Link to="/notifications" className="bell" current={pathname === '/notifications'}>
      <BellIcon />
      {/* The name is read as one phrase; the badge repeats its number for the eye only. */}
      <span className="visually-hidden">{unread ? `Notifications, ${unread} unread` : 'Notifications'}</span>
      {unread && (
        <span className="bell-count" aria-hidden="true">
          {unread}
        </span>
      )}
    </Link>
  );
}

function BellIcon() {
  return (
    <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
      />
    </svg>
  );
}

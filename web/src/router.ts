// A few routes need no router library: the path is the state, and links push history entries.
import { createElement, type MouseEvent, type ReactNode, useSyncExternalStore } from 'react';

const subscribe = (onChange: () => void) => {
  addEventListener('popstate', onChange);
  return () => removeEventListener('popstate', onChange);
};

/** The current path and query, e.g. `/confirm?email=a%40b.c`. */
export function useLocation(): URL {
  const href = useSyncExternalStore(subscribe, () => location.href);
  return new URL(href);
}

export function navigate(to: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function Link({
  to,
  children,
  className,
  current,
}: {
  to: string;
  children: ReactNode;
  className?: string;
  /** Marks the link to the page being shown (`aria-current="page"`). */
  current?: boolean;
}) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(to);
  };
  return createElement('a', { href: to, onClick, className, 'aria-current': current ? 'page' : undefined }, children);
}

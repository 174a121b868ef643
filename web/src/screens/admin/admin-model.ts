// What the operator console reads from `/v1/admin/*`, and the two hooks every console page loads
// it with. A 403 from any of these routes means the caller is not in the admins group (the API
// checks the user pool on every request, so a revoked admin is refused at once): the hooks hand
// it to the console (ForbiddenContext), which then shows one plain sentence instead of the pages.
// Every other failure is the page's own, shown in the API's words.
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { ApiError, errorText } from '../../api.ts';
import { session } from '../../session.ts';

export interface AdminUser {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  enabled: boolean;
  groups: string[];
  mfaEnabled: boolean;
  createdAt: string;
}

export interface TableItem {
  app: string;
  item: Record<string, unknown>;
}

export interface QueueDeadLetter {
  id: number;
  messageId: string;
  handler: string;
  topic: string;
  payload: unknown;
  error: string;
  attempts: number;
  enqueuedAt: string;
  failedAt: string;
}

export interface StreamDeadLetter {
  consumer: string;
  record: { eventName?: string; dynamodb?: { Keys?: Record<string, unknown> } } & Record<string, unknown>;
  error: string;
  attempts: number;
  failedAt: string;
}

export interface QueueState {
  depth: number;
  deadLetters: QueueDeadLetter[];
  streamLag: Record<string, number>;
  streamDeadLetters: StreamDeadLetter[];
}

export interface OutboxMessage {
  channel: 'email' | 'sms';
  to: string;
  subject?: string;
  text: string;
  messageId: string;
  createdAt: string;
}

export interface MinutePoint {
  minute: string;
  requests: number;
  serverErrors: number;
  p50Ms: number;
  p99Ms: number;
}

export interface RouteSeries {
  route: string;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errorRate: number;
  clientErrorRate: number;
  minutes: MinutePoint[];
}

export interface Metrics {
  windowMinutes: number;
  routes: RouteSeries[];
  gauges: Record<string, { minute: string; value: number }[]>;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: { sub: string; email?: string };
  action: string;
  target: string;
  origin: { address: string; userAgent?: string };
  details?: Record<string, string>;
}

export interface AuditPage {
  entries: AuditEntry[];
  before?: number;
  chain: { intact: boolean; at?: number };
}

export const ADMINS_GROUP = 'admins';

/** Set by the console: called with the API's words when a route answers 403. */
export const ForbiddenContext = createContext<(message: string) => void>(() => {});

/** Reports a 403 to the console; every other failure becomes the page's message. */
function useFailure() {
  const forbid = useContext(ForbiddenContext);
  return useCallback(
    (caught: unknown): string => {
      if (caught instanceof ApiError && caught.status === 403) forbid(caught.message);
      return errorText(caught);
    },
    [forbid],
  );
}

export interface Loaded<T> {
  data: T | undefined;
  loading: boolean;
  error: string | undefined;
  reload: () => Promise<void>;
}

/** One admin resource, loaded when `address` changes; an older answer never overwrites a newer one. */
export function useAdminResource<T>(address: string): Loaded<T> {
  const [data, setData] = useState<T>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const failed = useFailure();
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const ticket = ++latest.current;
    setLoading(true);
    try {
      const body = await session.call<T>(address);
      if (ticket !== latest.current) return;
      setData(body);
      setError(undefined);
    } catch (caught) {
      if (ticket === latest.current) setError(failed(caught));
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  }, [address, failed]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, loading, error, reload };
}

/** How a paged admin route names its list and its next-page marker, and which query parameter takes it back. */
export interface Paging<Body, Item> {
  items: (body: Body) => Item[];
  next: (body: Body) => string | number | undefined;
  param: string;
}

export interface AdminPages<Body, Item> {
  items: Item[];
  setItems: (update: (items: Item[]) => Item[]) => void;
  /** Every page read so far, for what a page says beside its items (the audit log's chain). */
  bodies: Body[];
  next: string | undefined;
  loading: boolean;
  error: string | undefined;
  load: (next?: string) => Promise<void>;
}

/**
 * A list the API hands out a page at a time. `address` undefined means nothing to ask yet (the
 * data browser before a partition is given). `paging` must be a constant: it is a dependency.
 */
export function useAdminPages<Body, Item>(address: string | undefined, paging: Paging<Body, Item>) {
  const [items, setItems] = useState<Item[]>([]);
  const [bodies, setBodies] = useState<Body[]>([]);
  const [next, setNext] = useState<string>();
  const [loading, setLoading] = useState(address !== undefined);
  const [error, setError] = useState<string>();
  const failed = useFailure();
  const latest = useRef(0);
  const load = useCallback(
    async (after?: string) => {
      const ticket = ++latest.current;
      if (address === undefined) {
        setItems([]);
        setBodies([]);
        setNext(undefined);
        setLoading(false);
        return;
      }
      setLoading(true);
      try {
        const separator = address.includes('?') ? '&' : '?';
        const url = after ? `${address}${separator}${paging.param}=${encodeURIComponent(after)}` : address;
        const body = await session.call<Body>(url);
        if (ticket !== latest.current) return;
        setItems((shown) => (after ? [...shown, ...paging.items(body)] : paging.items(body)));
        setBodies((read) => (after ? [...read, body] : [body]));
        const marker = paging.next(body);
        setNext(marker === undefined ? undefined : String(marker));
        setError(undefined);
      } catch (caught) {
        if (ticket === latest.current) setError(failed(caught));
      } finally {
        if (ticket === latest.current) setLoading(false);
      }
    },
    [address, paging, failed],
  );
  useEffect(() => {
    void load();
  }, [load]);
  return { items, setItems, bodies, next, loading, error, load } satisfies AdminPages<Body, Item>;
}

/**
 * An action on one thing (disable a user, replay a dead letter): `run` it, and `busy`/`error`
 * say how it went. A 403 goes to the console like a refused read.
 */
export function useAdminAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const failed = useFailure();
  const run = useCallback(
    async (action: () => Promise<void>): Promise<boolean> => {
      setBusy(true);
      setError(undefined);
      try {
        await action();
        return true;
      } catch (caught) {
        setError(failed(caught));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [failed],
  );
  return { busy, error, setError, run };
}

/** Milliseconds as people read latencies: "0.4 ms", "12 ms", "1.3 s". */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return ms < 10 ? `${Number(ms.toFixed(1))} ms` : `${Math.round(ms)} ms`;
}

/** A share as a percentage, with a decimal only where it tells small values apart. */
export function formatPercent(share: number): string {
  const percent = share * 100;
  if (percent === 0) return '0%';
  return percent < 10 ? `${percent.toFixed(1)}%` : `${Math.round(percent)}%`;
}

// The notifications screen: the in-app inbox at /notifications and the notification settings at
// /notifications/settings (the app routes everything under /notifications here).
//
// The inbox lists newest first, a page at a time (pages.tsx), with unread ones emphasised. Opening
// one follows its link and marks it read on the way; the bell in the header is told to count
// again (refreshUnread) after any marking, so the two never disagree for long.
//
// The settings hold the channels, the time zone and the daily digest in one form saved with
// If-Match: a 412 means another tab or device saved first, so the page reloads what is saved and
// says so rather than overwriting it. The phone is proven apart from that form (a texted 6-digit
// code), and SMS stays disabled, with the reason next to it, until it is: the API refuses SMS to
// an unproven number (422). The form keeps the user's unsaved edits when the phone changes the
// settings' version underneath it, and starts afresh only on a full reload.
import './notifications.css';
import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { ApiError, errorText } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { Form, text } from '../form.tsx';
import { dateTimeFormat } from '../format.ts';
import { refreshUnread } from '../notification-bell.tsx';
import { ShowMore, usePages } from '../pages.tsx';
import { Link, useLocation } from '../router.ts';
import { session } from '../session.ts';
import { useAction } from './settings-parts.tsx';

const PAGE = 20;
const SETTINGS_PATH = '/notifications/settings';

interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  /** A path in this app, e.g. `/tasks/<id>`. */
  link?: string;
  /** Sent after its time (Stratus was down when it was due). */
  late: boolean;
  read: boolean;
  createdAt: string;
}

type Channel = 'email' | 'inApp' | 'sms';

interface NotificationSettings {
  channels: Record<Channel, boolean>;
  timeZone: string;
  digest: { enabled: boolean; hour: number };
  phone?: { number: string; verified: boolean };
  version: number;
}

export function Notifications() {
  const { pathname } = useLocation();
  return pathname.replace(/\/+$/, '') === SETTINGS_PATH ? <SettingsPage /> : <Inbox />;
}

// --- The inbox -------------------------------------------------------------------------------

function Inbox() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const pages = usePages<Notification>(`/v1/notifications?limit=${PAGE}${unreadOnly ? '&unread=true' : ''}`);
  const { items, setItems, loading, error } = pages;
  const markAll = useAction();
  const [status, setStatus] = useState('');
  const [markError, setMarkError] = useState<string>();

  // The list just read is the freshest word on what is unread: let the bell agree with it.
  useEffect(() => {
    if (!loading) refreshUnread();
  }, [loading]);

  const markRead = async (notification: Notification) => {
    if (notification.read) return;
    setItems((shown) => shown.map((n) => (n.id === notification.id ? { ...n, read: true } : n)));
    try {
      await session.call('/v1/notifications/read', { method: 'POST', body: { id: notification.id } });
      setMarkError(undefined);
    } catch (caught) {
      setItems((shown) => shown.map((n) => (n.id === notification.id ? { ...n, read: false } : n)));
      setMarkError(errorText(caught));
    }
    refreshUnread();
  };

  const markAllRead = () =>
    markAll.run(async () => {
      setStatus('');
      const { marked } = await session.call<{ marked: number }>('/v1/notifications/read-all', { method: 'POST' });
      setItems((shown) => shown.map((n) => ({ ...n, read: true })));
      setStatus(marked === 0 ? 'Nothing was unread.' : `Marked ${marked} read.`);
      refreshUnread();
    });

  const anyUnread = items.some((n) => !n.read);
  return (
    <main className="notifications">
      <div className="notifications-head">
        <h1>Notifications</h1>
        <Link to={SETTINGS_PATH} className="notifications-settings-link">
          Settings
        </Link>
      </div>
      <div className="filters">
        <fieldset>
          <legend className="visually-hidden">Show</legend>
          <label>
            <input
              type="radio"
              name="notification-filter"
              checked={!unreadOnly}
              onChange={() => setUnreadOnly(false)}
            />
            All
          </label>
          <label>
            <input type="radio" name="notification-filter" checked={unreadOnly} onChange={() => setUnreadOnly(true)} />
            Unread
          </label>
        </fieldset>
        <button
          type="button"
          className="secondary"
          onClick={() => void markAllRead()}
          disabled={markAll.busy || (!anyUnread && !pages.nextCursor)}
        >
          {markAll.busy ? 'Marking…' : 'Mark all read'}
        </button>
      </div>
      <div className="messages">
        <p role="status" className="status">
          {status}
        </p>
        <p role="alert" className="error">
          {error ?? markAll.error ?? markError}
        </p>
      </div>
      <ul className="rows notification-list" aria-label="Notifications" aria-busy={loading}>
        {items.map((notification) => (
          <NotificationRow
            key={notification.id}
            notification={notification}
            onOpen={() => void markRead(notification)}
          />
        ))}
      </ul>
      {!loading && items.length === 0 && !error && (
        <p className="empty">
          {unreadOnly ? 'Nothing unread.' : 'No notifications yet: reminders for your tasks will appear here.'}
        </p>
      )}
      {loading && <p className="empty">Loading…</p>}
      <ShowMore pages={pages} className="link notifications-more" />
    </main>
  );
}

function NotificationRow({ notification, onOpen }: { notification: Notification; onOpen: () => void }) {
  const { title, body, link, late, read, createdAt } = notification;
  return (
    <li className={read ? 'read' : 'unread'}>
      <span className="unread-dot" aria-hidden="true" />
      <div className="notification-body">
        {!read && <span className="visually-hidden">Unread: </span>}
        {link ? (
          // Following the link is opening it: the click (or Enter) bubbles here from the link.
          // biome-ignore lint/a11y/noStaticElementInteractions: only catches the link's own activation
          // biome-ignore lint/a11y/useKeyWithClickEvents: the link inside handles the keyboard (Enter clicks it)
          <span onClick={onOpen}>
            <Link to={link} className="notification-title">
              {title}
            </Link>
          </span>
        ) : (
          <strong className="notification-title">{title}</strong>
        )}
        {body && <p className="notification-text">{body}</p>}
        <p className="notification-meta">
          <time dateTime={createdAt}>{dateTimeFormat.format(new Date(createdAt))}</time>
          {late && <span className="late-badge">Sent late</span>}
        </p>
      </div>
      {!read && (
        <button type="button" className="link mark-read" onClick={onOpen} aria-label={`Mark read: ${title}`}>
          Mark read
        </button>
      )}
    </li>
  );
}

// --- The settings ----------------------------------------------------------------------------

function SettingsPage() {
  const [settings, setSettings] = useState<NotificationSettings>();
  // Bumped on every full read, so the form starts again from what is saved.
  const [generation, setGeneration] = useState(0);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  const load = useCallback(async (signal?: AbortSignal) => {
    setError(undefined);
    try {
      const read = await session.call<NotificationSettings>('/v1/notifications/settings', signal ? { signal } : {});
      setSettings(read);
      setGeneration((n) => n + 1);
    } catch (caught) {
      if ((caught as Error).name !== 'AbortError') setError(errorText(caught));
    }
  }, []);

  useEffect(() => {
    const abort = new AbortController();
    void load(abort.signal);
    return () => abort.abort();
  }, [load]);

  const stale = async () => {
    await load();
    setNotice(
      'Your notification settings were changed elsewhere (another tab or device) since this page read them. ' +
        'They are shown as saved now: make your change again and save.',
    );
  };

  return (
    <main className="notifications notification-settings" aria-busy={!settings && !error}>
      <Link to="/notifications" className="back-link">
        <span aria-hidden="true">←</span> Back to notifications
      </Link>
      <h1>Notification settings</h1>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <>
          <p role="alert" className="error">
            {error}
          </p>
          <button type="button" onClick={() => void load()}>
            Try again
          </button>
        </>
      )}
      {!settings && !error && <p className="empty">Loading…</p>}
      {settings && (
        <>
          <PreferencesForm
            key={generation}
            settings={settings}
            onSaved={(saved) => {
              setNotice(undefined);
              setSettings(saved);
            }}
            onStale={() => void stale()}
          />
          <PhoneSection settings={settings} onChange={setSettings} />
        </>
      )}
    </main>
  );
}

type Preferences = Pick<NotificationSettings, 'channels' | 'timeZone' | 'digest'>;

const hourLabel = (hour: number) => `${String(hour).padStart(2, '0')}:00`;
const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

/** Every IANA zone the browser knows, with the saved one first in line if the browser lacks it. */
function timeZones(current: string): string[] {
  const known = Intl.supportedValuesOf('timeZone');
  const extra = ['UTC', current].filter((zone) => !known.includes(zone));
  return [...new Set(extra), ...known];
}

function PreferencesForm({
  settings,
  onSaved,
  onStale,
}: {
  settings: NotificationSettings;
  onSaved: (saved: NotificationSettings) => void;
  onStale: () => void;
}) {
  const [draft, setDraft] = useState<Preferences>(() => ({
    channels: { ...settings.channels },
    timeZone: settings.timeZone,
    digest: { ...settings.digest },
  }));
  const [saved, setSaved] = useState('');
  const save = useAction();
  const phoneVerified = settings.phone?.verified === true;
  const smsHintId = useId();
  const deviceZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [zones] = useState(() => timeZones(settings.timeZone));

  const edit = (change: (d: Preferences) => Preferences) => {
    setSaved('');
    setDraft(change);
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void save.run(async () => {
      setSaved('');
      try {
        const next = await session.call<NotificationSettings>('/v1/notifications/settings', {
          method: 'PATCH',
          // SMS cannot be on without a proven phone (removing the phone turns it off).
          body: { ...draft, channels: { ...draft.channels, sms: draft.channels.sms && phoneVerified } },
          headers: { 'if-match': `"${settings.version}"` },
        });
        onSaved(next);
        setSaved('Saved.');
      } catch (caught) {
        if (caught instanceof ApiError && caught.status === 412) {
          onStale();
          return;
        }
        throw caught;
      }
    });
  };

  return (
    <form className="card" aria-label="Notification preferences" onSubmit={submit}>
      <fieldset>
        <legend>Send notifications by</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.channels.inApp}
            onChange={(e) => edit((d) => ({ ...d, channels: { ...d.channels, inApp: e.target.checked } }))}
          />
          In the app
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.channels.email}
            onChange={(e) => edit((d) => ({ ...d, channels: { ...d.channels, email: e.target.checked } }))}
          />
          Email
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.channels.sms && phoneVerified}
            disabled={!phoneVerified}
            aria-describedby={phoneVerified ? undefined : smsHintId}
            onChange={(e) => edit((d) => ({ ...d, channels: { ...d.channels, sms: e.target.checked } }))}
          />
          SMS (text message)
        </label>
        {!phoneVerified && (
          <p id={smsHintId} className="hint">
            SMS needs a verified phone number: add yours below, then come back here to turn it on.
          </p>
        )}
      </fieldset>

      <div className="field">
        <label htmlFor="notification-time-zone">Time zone</label>
        <select
          id="notification-time-zone"
          value={draft.timeZone}
          onChange={(e) => edit((d) => ({ ...d, timeZone: e.target.value }))}
          aria-describedby="notification-time-zone-hint"
        >
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zone.replaceAll('_', ' ')}
            </option>
          ))}
        </select>
        <p id="notification-time-zone-hint" className="hint">
          Reminders, the digest and task analytics read days and hours here.
          {deviceZone && deviceZone !== draft.timeZone && zones.includes(deviceZone) && (
            <>
              {' '}
              <button type="button" className="link" onClick={() => edit((d) => ({ ...d, timeZone: deviceZone }))}>
                Use this device’s ({deviceZone.replaceAll('_', ' ')})
              </button>
            </>
          )}
        </p>
      </div>

      <fieldset>
        <legend>Daily digest</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.digest.enabled}
            onChange={(e) => edit((d) => ({ ...d, digest: { ...d.digest, enabled: e.target.checked } }))}
          />
          Email me the day’s tasks every day
        </label>
        <div className="field">
          <label htmlFor="notification-digest-hour">At</label>
          <select
            id="notification-digest-hour"
            value={draft.digest.hour}
            disabled={!draft.digest.enabled}
            onChange={(e) => edit((d) => ({ ...d, digest: { ...d.digest, hour: Number(e.target.value) } }))}
          >
            {HOURS.map((hour) => (
              <option key={hour} value={hour}>
                {hourLabel(hour)}
              </option>
            ))}
          </select>
        </div>
      </fieldset>

      <p role="alert" className="error">
        {save.error}
      </p>
      <div className="actions">
        <button type="submit" disabled={save.busy}>
          {save.busy ? 'Saving…' : 'Save settings'}
        </button>
        <p role="status" className="saved">
          {saved}
        </p>
      </div>
    </form>
  );
}

/** A code on its way: to which number, and until when it works. */
interface SentCode {
  number: string;
  expiresAt: string;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

function PhoneSection({
  settings,
  onChange,
}: {
  settings: NotificationSettings;
  onChange: (next: NotificationSettings) => void;
}) {
  const headingId = useId();
  const [sent, setSent] = useState<SentCode>();
  const [status, setStatus] = useState('');
  const phone = settings.phone?.verified ? settings.phone.number : undefined;

  const sendCode = async (number: string) => {
    setStatus('');
    const { expiresAt } = await session.call<{ expiresAt: string }>('/v1/notifications/phone', {
      method: 'POST',
      body: { phoneNumber: number },
    });
    setSent({ number, expiresAt });
  };

  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>Phone for SMS</h2>
      <p role="status" className="saved">
        {status}
      </p>
      {phone ? (
        <VerifiedPhone
          number={phone}
          onRemoved={(next) => {
            setStatus('Your phone number was removed, and SMS turned off.');
            onChange(next);
          }}
        />
      ) : (
        <>
          <Form
            label="Send a verification code"
            submit={sent ? 'Send a new code' : 'Send code'}
            onSubmit={(data) => sendCode(text(data, 'phoneNumber').trim())}
          >
            <div className="field">
              <label htmlFor="notification-phone">Phone number</label>
              <input
                id="notification-phone"
                name="phoneNumber"
                type="tel"
                inputMode="tel"
                autoComplete="tel"
                required
                placeholder="+15555550100"
                defaultValue={sent?.number}
                aria-describedby="notification-phone-hint"
              />
              <p id="notification-phone-hint" className="hint">
                In international form: + then the country code and number, like +15555550100. We text it a 6-digit code.
              </p>
            </div>
          </Form>
          {sent && (
            <VerifyCode
              sent={sent}
              onVerified={(next) => {
                setSent(undefined);
                setStatus(`${next.phone?.number ?? 'Your phone'} is verified: you can now turn on SMS above.`);
                onChange(next);
              }}
            />
          )}
        </>
      )}
    </section>
  );
}

function VerifyCode({ sent, onVerified }: { sent: SentCode; onVerified: (next: NotificationSettings) => void }) {
  return (
    <Form
      label="Verify the phone number"
      submit="Verify"
      onSubmit={async (data) =>
        onVerified(
          await session.call<NotificationSettings>('/v1/notifications/phone/verify', {
            method: 'POST',
            body: { code: text(data, 'code').trim() },
          }),
        )
      }
    >
      <p className="notice">
        We texted a code to {sent.number}. It works until {timeFormat.format(new Date(sent.expiresAt))}.
      </p>
      <div className="field">
        <label htmlFor="notification-code">6-digit code</label>
        <input
          id="notification-code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          required
        />
      </div>
    </Form>
  );
}

function VerifiedPhone({ number, onRemoved }: { number: string; onRemoved: (next: NotificationSettings) => void }) {
  const [asking, setAsking] = useState(false);
  const remove = useAction();
  return (
    <>
      <p>
        Texts go to <strong>{number}</strong> <span className="verified-badge">Verified</span>
      </p>
      {asking ? (
        <Confirm
          question={`Remove ${number}? SMS turns off.`}
          confirm="Remove"
          busyLabel="Removing…"
          busy={remove.busy}
          onCancel={() => setAsking(false)}
          onConfirm={() =>
            void remove.run(async () => {
              onRemoved(await session.call<NotificationSettings>('/v1/notifications/phone', { method: 'DELETE' }));
            })
          }
        >
          <p role="alert" className="error">
            {remove.error}
          </p>
        </Confirm>
      ) : (
        <div className="actions">
          <button type="button" className="secondary danger" onClick={() => setAsking(true)}>
            Remove
          </button>
        </div>
      )}
    </>
  );
}

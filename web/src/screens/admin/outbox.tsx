// The console's Outbox page: the mail and SMS this machine sent (on one machine they go to a
// folder, not to a mail server), newest first, optionally only those to one recipient. The
// recipient is in the address (/admin/outbox?to=…), so a reload keeps the filter.
import { type FormEvent, useId } from 'react';
import { dateTimeFormat } from '../../format.ts';
import { navigate, useLocation } from '../../router.ts';
import { type OutboxMessage, useAdminResource } from './admin-model.ts';

export function OutboxPage() {
  const to = useLocation().searchParams.get('to') ?? '';
  const recipientId = useId();
  const outbox = useAdminResource<{ messages: OutboxMessage[] }>(
    `/v1/admin/outbox${to ? `?to=${encodeURIComponent(to)}` : ''}`,
  );
  const messages = outbox.data?.messages ?? [];

  const filter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const recipient = String(new FormData(event.currentTarget).get('to') ?? '').trim();
    navigate(recipient ? `/admin/outbox?to=${encodeURIComponent(recipient)}` : '/admin/outbox');
  };

  return (
    <>
      <h2 id="admin-page-heading">Outbox</h2>
      <form key={to} aria-label="Filter the outbox" className="admin-search" onSubmit={filter}>
        <label className="field" htmlFor={recipientId}>
          Recipient (email address or phone number)
        </label>
        <div className="admin-search-row">
          <input
            id={recipientId}
            name="to"
            type="search"
            maxLength={320}
            defaultValue={to}
            autoComplete="off"
            spellCheck={false}
          />
          <button type="submit">Filter</button>
        </div>
      </form>
      {to && (
        <p className="admin-filtered">
          <span>
            Only messages to <strong>{to}</strong>.
          </span>
          <button type="button" className="link admin-touch" onClick={() => navigate('/admin/outbox')}>
            Show all
          </button>
        </p>
      )}
      <p role="alert" className="error">
        {outbox.error}
      </p>
      <ul className="rows admin-messages" aria-label="Messages" aria-busy={outbox.loading}>
        {messages.map((message) => (
          <Message key={message.messageId} message={message} />
        ))}
      </ul>
      {!outbox.loading && messages.length === 0 && !outbox.error && (
        <p className="empty">{to ? `Nothing was sent to ${to}.` : 'Nothing was sent yet.'}</p>
      )}
      {outbox.loading && <p className="empty">Loading…</p>}
    </>
  );
}

function Message({ message }: { message: OutboxMessage }) {
  return (
    <li className="admin-message">
      <p className="admin-message-head">
        <span className="state">{message.channel === 'sms' ? 'SMS' : 'Mail'}</span>
        <span>
          To <strong>{message.to}</strong>
        </span>
        <time className="hint" dateTime={message.createdAt}>
          {dateTimeFormat.format(new Date(message.createdAt))}
        </time>
      </p>
      {message.subject && <p className="admin-message-subject">{message.subject}</p>}
      <pre>{message.text}</pre>
    </li>
  );
}

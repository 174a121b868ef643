// The console's Queue page: how many event deliveries wait, how far each change-stream consumer
// lags, and the dead letters of both. A queue dead letter can be replayed (put back with fresh
// attempts) or dropped for good, after a confirmation; the stream's dead letters are shown only,
// as the API offers no action on them. Payloads can be long, so each sits behind a disclosure.
import { Fragment, useState } from 'react';
import { Confirm } from '../../confirm.tsx';
import { dateTimeFormat } from '../../format.ts';
import { session } from '../../session.ts';
import {
  type QueueDeadLetter,
  type QueueState,
  type StreamDeadLetter,
  useAdminAction,
  useAdminResource,
} from './admin-model.ts';

const When = ({ iso }: { iso: string }) => <time dateTime={iso}>{dateTimeFormat.format(new Date(iso))}</time>;

export function QueuePage() {
  const queue = useAdminResource<QueueState>('/v1/admin/queue');
  const [status, setStatus] = useState<string>();
  const { data } = queue;
  const lag = Object.entries(data?.streamLag ?? {});

  return (
    <div aria-busy={queue.loading}>
      <div className="admin-heading-row">
        <h2 id="admin-page-heading">Queue</h2>
        <button type="button" className="secondary" disabled={queue.loading} onClick={() => void queue.reload()}>
          {queue.loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p role="status" className="status">
        {status}
      </p>
      <p role="alert" className="error">
        {queue.error}
      </p>
      {!data && queue.loading && <p className="empty">Loading…</p>}
      {data && (
        <>
          <dl className="admin-figures">
            <div>
              <dt>Deliveries waiting</dt>
              <dd>{data.depth}</dd>
            </div>
            <div>
              <dt>Queue dead letters</dt>
              <dd>{data.deadLetters.length}</dd>
            </div>
            <div>
              <dt>Stream dead letters</dt>
              <dd>{data.streamDeadLetters.length}</dd>
            </div>
          </dl>
          <h3>Stream lag per consumer</h3>
          {lag.length === 0 ? (
            <p className="empty">No stream consumers.</p>
          ) : (
            <dl className="admin-lag">
              {lag.map(([consumer, records]) => (
                <div key={consumer}>
                  <dt>{consumer}</dt>
                  <dd>{records === 0 ? 'Up to date' : `${records} ${records === 1 ? 'record' : 'records'} behind`}</dd>
                </div>
              ))}
            </dl>
          )}
          <h3>Queue dead letters</h3>
          {data.deadLetters.length === 0 ? (
            <p className="empty">No dead letters: every delivery went through.</p>
          ) : (
            <ul className="rows admin-letters" aria-label="Queue dead letters">
              {data.deadLetters.map((letter) => (
                <QueueLetter
                  key={letter.id}
                  letter={letter}
                  onDone={(said) => {
                    setStatus(said);
                    void queue.reload();
                  }}
                />
              ))}
            </ul>
          )}
          <h3>Stream dead letters</h3>
          {data.streamDeadLetters.length === 0 ? (
            <p className="empty">No dead letters on the change stream.</p>
          ) : (
            <ul className="rows admin-letters" aria-label="Stream dead letters">
              {data.streamDeadLetters.map((letter) => (
                <StreamLetter key={`${letter.consumer}|${letter.failedAt}|${letter.error}`} letter={letter} />
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

function QueueLetter({ letter, onDone }: { letter: QueueDeadLetter; onDone: (said: string) => void }) {
  const action = useAdminAction();
  const [dropping, setDropping] = useState(false);
  const path = `/v1/admin/queue/dead-letters/${letter.id}`;
  const replay = async () => {
    if (await action.run(() => session.call(`${path}/replay`, { method: 'POST' })))
      onDone(`Replayed dead letter ${letter.id}: it is back in the queue with fresh attempts.`);
  };
  const drop = async () => {
    if (await action.run(() => session.call(path, { method: 'DELETE' }))) onDone(`Dropped dead letter ${letter.id}.`);
  };
  const which = <span className="visually-hidden"> dead letter {letter.id}</span>;

  return (
    <li className="admin-letter">
      <LetterFacts
        letter={letter}
        source={[
          ['Handler', letter.handler],
          ['Topic', letter.topic],
        ]}
        body={['Payload', letter.payload]}
      />
      <div className="actions">
        <button type="button" className="secondary" disabled={action.busy} onClick={() => void replay()}>
          Replay{which}
        </button>
        <button
          type="button"
          className="secondary danger"
          disabled={action.busy || dropping}
          onClick={() => setDropping(true)}
        >
          Drop{which}
        </button>
      </div>
      {dropping && (
        <Confirm
          question={`Drop dead letter ${letter.id} for good? Its event will not be delivered to ${letter.handler}.`}
          confirm="Drop"
          busyLabel="Dropping…"
          busy={action.busy}
          onConfirm={() => void drop()}
          onCancel={() => setDropping(false)}
        />
      )}
      {action.error && (
        <p role="alert" className="error">
          {action.error}
        </p>
      )}
    </li>
  );
}

function StreamLetter({ letter }: { letter: StreamDeadLetter }) {
  return (
    <li className="admin-letter">
      <LetterFacts
        letter={letter}
        source={[
          ['Consumer', letter.consumer],
          ['Change', letter.record.eventName ?? 'Unknown'],
        ]}
        body={['Record', letter.record]}
      />
    </li>
  );
}

/** What any dead letter shows: where it came from, why and when it failed, and what it carried. */
function LetterFacts({
  letter,
  source,
  body: [bodyName, body],
}: {
  letter: { error: string; attempts: number; failedAt: string };
  source: [string, string][];
  body: [string, unknown];
}) {
  return (
    <>
      <dl className="admin-facts">
        {source.map(([name, value]) => (
          <Fragment key={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
        <dt>Error</dt>
        <dd className="admin-letter-error">{letter.error}</dd>
        <dt>Attempts</dt>
        <dd>{letter.attempts}</dd>
        <dt>Failed at</dt>
        <dd>
          <When iso={letter.failedAt} />
        </dd>
      </dl>
      <details>
        <summary>{bodyName}</summary>
        <pre>{JSON.stringify(body, null, 2)}</pre>
      </details>
    </>
  );
}

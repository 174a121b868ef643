// The profile picture control at the top of the Account screen's profile card: the picture (or the
// user's initial), a file picker, the upload's progress, then "Processing…" until the server has
// made its public squares, and a confirmed removal. The API only accepts the picture through a
// pre-signed upload and processes it in the background, so one upload is a short job: ask for the
// URL, send the bytes (upload.ts, for the progress bar), then read GET /v1/me/avatar every second
// until it is ready or refused, for at most a minute. Starting another job, or leaving the screen,
// aborts the one under way. The picture shown starts as the profile's own URL (GET /v1/me), so a
// reload shows exactly what visitors of the public page see. Styled by avatar.css.
import { type ChangeEvent, useEffect, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { session } from '../session.ts';
import { type PresignedUpload, sendToPresignedUrl } from '../upload.ts';
import './avatar.css';

/** GET /v1/me/avatar: the latest upload; `urls` are the current picture's, by size. */
interface AvatarState {
  id: string;
  status: 'pending' | 'ready' | 'failed';
  failure?: string;
  urls?: Record<string, string>;
}

/** The formats the API reads; HEIC is refused by the API with advice, so it is not offered. */
const ACCEPTED_TYPES = 'image/jpeg,image/png,image/webp,image/avif';
/** The size the profile URL points at, the one the public page shows. */
const PROFILE_SIZE = 's300.jpg';
const POLL_MS = 1000;
const GIVE_UP_MS = 60_000;

type Phase =
  | { name: 'idle'; message?: string }
  | { name: 'sending'; percent: number }
  | { name: 'processing' }
  | { name: 'removing' };

export function Avatar({ name, pictureUrl }: { name: string; pictureUrl: string | undefined }) {
  const { picture, phase, error, upload, remove } = useAvatar(pictureUrl);
  const [confirming, setConfirming] = useState(false);
  const busy = phase.name !== 'idle';
  const opener = useRef<HTMLButtonElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const wasConfirming = useRef(false);

  // The question's buttons vanish with it: focus goes back to where the question came from, or
  // to the picker once the picture (and so the Remove button) is gone, not to the page's start.
  useEffect(() => {
    if (wasConfirming.current && !confirming) (opener.current ?? picker.current)?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.currentTarget.files?.[0];
    // Cleared, so choosing the same file again (after a refusal) still counts as a change.
    event.currentTarget.value = '';
    if (file) {
      setConfirming(false);
      void upload(file);
    }
  };

  return (
    <fieldset className="avatar" aria-busy={busy}>
      <legend className="visually-hidden">Profile picture</legend>
      <div className="avatar-row">
        <Picture url={picture} name={name} />
        <div className="avatar-actions">
          <label className={busy ? 'button-link avatar-pick disabled' : 'button-link avatar-pick'}>
            Change picture
            <input
              ref={picker}
              type="file"
              accept={ACCEPTED_TYPES}
              className="visually-hidden"
              disabled={busy}
              onChange={onFile}
            />
          </label>
          {picture && !confirming && (
            <button
              ref={opener}
              type="button"
              className="secondary danger"
              disabled={busy}
              onClick={() => setConfirming(true)}
            >
              Remove picture
            </button>
          )}
        </div>
      </div>
      {(phase.name === 'sending' || phase.name === 'processing') && (
        <progress
          aria-label={phase.name === 'sending' ? 'Uploading picture' : 'Processing picture'}
          max={100}
          // Without a value the bar is indeterminate: the server does not report processing's progress.
          value={phase.name === 'sending' ? phase.percent : undefined}
        />
      )}
      <p role="status" className="avatar-status">
        {phaseText(phase)}
      </p>
      <p role="alert" className="error">
        {error}
      </p>
      {confirming && picture && (
        <Confirm
          question="Remove your profile picture? Your initial is shown instead, on your public page too."
          confirm="Remove"
          busyLabel="Removing…"
          busy={phase.name === 'removing'}
          onConfirm={() => void remove().then((removed) => removed && setConfirming(false))}
          onCancel={() => setConfirming(false)}
        />
      )}
      <p className="hint">JPEG, PNG, WebP or AVIF, up to 25 MB. Anyone who sees your public page sees it.</p>
    </fieldset>
  );
}

function phaseText(phase: Phase): string {
  switch (phase.name) {
    case 'idle':
      return phase.message ?? '';
    case 'sending':
      return `Uploading… ${phase.percent}%`;
    case 'processing':
      return 'Processing…';
    case 'removing':
      return 'Removing…';
  }
}

/** The picture, round; the user's initial when there is none or it cannot be loaded. */
function Picture({ url, name }: { url: string | undefined; name: string }) {
  const [broken, setBroken] = useState<string>();
  if (!url || broken === url) {
    return (
      <div className="avatar-placeholder" role="img" aria-label="No profile picture">
        <span aria-hidden="true">{initialOf(name)}</span>
      </div>
    );
  }
  return (
    <img
      className="avatar-picture"
      src={url}
      // biome-ignore lint/a11y/noRedundantAlt: it is a picture of the user, and "profile picture" is what people call it
      alt="Your profile picture"
      width={96}
      height={96}
      onError={() => setBroken(url)}
    />
  );
}

/** The first character of the name (a whole emoji or accented letter, not half of one). */
const initialOf = (name: string) => (Array.from(name.trim())[0] ?? '?').toLocaleUpperCase();

/** The picture shown, the job under way, and the two actions that change the picture. */
function useAvatar(initialUrl: string | undefined) {
  const [picture, setPicture] = useState(initialUrl);
  const [phase, setPhase] = useState<Phase>({ name: 'idle' });
  const [error, setError] = useState<string>();
  const job = useRef<AbortController | undefined>(undefined);

  useEffect(() => () => job.current?.abort(), []);

  /** Aborts the job under way (its late answers are then ignored) and starts a new one. */
  const begin = () => {
    job.current?.abort();
    job.current = new AbortController();
    setError(undefined);
    return job.current.signal;
  };

  const upload = async (file: File) => {
    const signal = begin();
    setPhase({ name: 'sending', percent: 0 });
    try {
      const started = await session.call<{ avatar: AvatarState; upload: PresignedUpload }>('/v1/me/avatar', {
        method: 'POST',
        body: { contentType: file.type || 'application/octet-stream', size: file.size },
        signal,
      });
      let shown = 0;
      await sendToPresignedUrl(
        started.upload,
        file,
        (sent, total) => {
          const percent = total > 0 ? Math.floor((sent / total) * 100) : 100;
          // Progress events come fast; re-render only when the bar visibly moves.
          if (percent !== shown && !signal.aborted) {
            shown = percent;
            setPhase({ name: 'sending', percent });
          }
        },
        signal,
      );
      setPhase({ name: 'processing' });
      const outcome = await processed(started.avatar.id, signal);
      if (outcome?.status === 'ready') {
        setPicture(outcome.urls?.[PROFILE_SIZE]);
        setPhase({ name: 'idle', message: 'Your new picture is in place' });
      } else if (outcome?.status === 'failed') {
        setPhase({ name: 'idle' });
        setError(`This picture could not be used. ${outcome.failure ?? 'Try another one.'}`);
      } else {
        setPhase({ name: 'idle', message: 'Still processing: reload the page in a moment to see your new picture' });
      }
    } catch (caught) {
      if (signal.aborted) return; // replaced by a newer job, or the screen is gone
      setPhase({ name: 'idle' });
      setError(errorText(caught));
    }
  };

  /** Resolves true once removed. */
  const remove = async (): Promise<boolean> => {
    const signal = begin();
    setPhase({ name: 'removing' });
    try {
      await session.call('/v1/me/avatar', { method: 'DELETE', signal });
      setPicture(undefined);
      setPhase({ name: 'idle', message: 'Your picture is removed' });
      return true;
    } catch (caught) {
      if (signal.aborted) return false;
      setPhase({ name: 'idle' });
      setError(errorText(caught));
      return false;
    }
  };

  return { picture, phase, error, upload, remove };
}

/**
 * Reads the upload's state every second until the server has processed it (or a newer upload,
 * from another device, took its place); undefined if it is still pending after a minute.
 */
async function processed(id: string, signal: AbortSignal): Promise<AvatarState | undefined> {
  const deadline = Date.now() + GIVE_UP_MS;
  while (Date.now() < deadline) {
    await pause(POLL_MS, signal);
    const state = await session.call<AvatarState>('/v1/me/avatar', { signal });
    if (state.id !== id || state.status !== 'pending') return state;
  }
  return undefined;
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      reject(new DOMException('Stopped', 'AbortError'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve();
    }, ms);
    signal.addEventListener('abort', stop, { once: true });
  });

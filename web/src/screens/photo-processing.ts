// Watching photos the server is still processing: each one is read again every second until it
// is ready or failed, for at most a minute (locally it takes a second or two; on AWS a few). The
// API has no push channel, and a second is short enough to feel live while costing one small GET
// per photo. One loop serves every watched photo, so a batch of uploads polls as one, and it stops
// when the screen goes away.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api.ts';
import { session } from '../session.ts';
import { type Photo, photoPath } from './photo-model.ts';

const POLL_MS = 1000;
const GIVE_UP_MS = 60_000;

/**
 * `watch(photo)` starts following a pending photo; `onChange` hears each new state of it, and
 * `gaveUp` holds the ids still pending after a minute (they may yet finish: a reload shows them).
 */
export function useProcessingWatch(onChange: (photo: Photo) => void) {
  const deadlines = useRef(new Map<string, number>());
  /** Every photo ever watched here: one given up on is not watched again from the start. */
  const seen = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const running = useRef(false);
  const alive = useRef(true);
  const changed = useRef(onChange);
  changed.current = onChange;
  const [gaveUp, setGaveUp] = useState<ReadonlySet<string>>(new Set());

  const schedule = useCallback(function schedule() {
    if (!alive.current || running.current || timer.current || deadlines.current.size === 0) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      running.current = true;
      void pollOnce(
        deadlines.current,
        (photo) => alive.current && changed.current(photo),
        (id) => setGaveUp((ids) => new Set(ids).add(id)),
      ).finally(() => {
        running.current = false;
        schedule();
      });
    }, POLL_MS);
  }, []);

  const watch = useCallback(
    (photo: Photo) => {
      if (photo.status !== 'pending' || seen.current.has(photo.id)) return;
      seen.current.add(photo.id);
      deadlines.current.set(photo.id, Date.now() + GIVE_UP_MS);
      schedule();
    },
    [schedule],
  );

  useEffect(() => {
    alive.current = true;
    schedule();
    return () => {
      alive.current = false;
      clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [schedule]);

  return { watch, gaveUp };
}

/** One round: every watched photo read once; settled, vanished and overdue ones are dropped. */
async function pollOnce(
  deadlines: Map<string, number>,
  onChange: (photo: Photo) => void,
  onGiveUp: (id: string) => void,
): Promise<void> {
  await Promise.all(
    [...deadlines].map(async ([id, deadline]) => {
      try {
        const photo = await session.call<Photo>(photoPath(id));
        if (photo.status !== 'pending') deadlines.delete(id);
        onChange(photo);
      } catch (caught) {
        // Deleted meanwhile: nothing left to watch. Other failures (offline) are tried again.
        if (caught instanceof ApiError && caught.status === 404) deadlines.delete(id);
      }
      if (deadlines.has(id) && Date.now() > deadline) {
        deadlines.delete(id);
        onGiveUp(id);
      }
    }),
  );
}

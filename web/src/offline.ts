// What the to-do list keeps on this device for when there is no connection: the last list the
// server sent, and the to-dos added since, each with the idempotency key it will be sent with.
// A to-do queued offline is sent with the same key however many times the sending is retried
// (the tab closed mid-request, the connection dropped before the answer), so it is never doubled.
// IndexedDB (through idb-keyval) rather than localStorage: it does not block the page, and
// holds a long list. Signing out forgets all of it: a shared device keeps nothing.
import { clear, createStore, get, set, update } from 'idb-keyval';
import type { Todo } from './api.ts';

const store = createStore('stratus', 'offline');

export interface CachedTodos {
  todos: Todo[];
  savedAt: string;
}

export interface QueuedTodo {
  /** The Idempotency-Key the to-do is sent with, also its place-holder id in the list. */
  key: string;
  title: string;
  queuedAt: string;
}

export const todoCache = {
  save: (todos: Todo[]) => set('todos', { todos, savedAt: new Date().toISOString() } satisfies CachedTodos, store),
  load: () => get<CachedTodos>('todos', store),
};

/**
 * The queue is one entry, a list in the order the to-dos were added; `update` reads and writes it
 * in one IndexedDB transaction, so two changes at once cannot lose one another.
 */
export const queue = {
  add: (item: QueuedTodo) => update<QueuedTodo[]>('queue', (items = []) => [...items, item], store),
  remove: (key: string) =>
    update<QueuedTodo[]>('queue', (items = []) => items.filter((item) => item.key !== key), store),
  /** Oldest first, the order they were added in. */
  list: async (): Promise<QueuedTodo[]> => (await get<QueuedTodo[]>('queue', store)) ?? [],
};

export const forgetOfflineData = () => clear(store).catch(() => {});

// The service worker: the app opens without a connection. The build (vite.config.ts) writes the
// list of the app's files and a version over the two place-holders below. The files are kept
// at install; a page load goes to the network first (so a new version shows at once) and falls
// back to the kept page offline; the hashed files never change, so they are served from the
// cache. The API is not touched here: the app decides what to keep (offline.ts).
const FILES = self.__FILES__;
const CACHE = `stratus-${self.__VERSION__}`;
const API = /^\/(v1|_objects|docs|openapi\.json|\.well-known|_dev|health)(\/|$)/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || API.test(url.pathname)) return;
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(() => caches.match('/', { cacheName: CACHE })));
  } else if (FILES.includes(url.pathname)) {
    event.respondWith(caches.match(request, { cacheName: CACHE }).then((kept) => kept ?? fetch(request)));
  }
});

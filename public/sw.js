// Tidings service worker. The server fills in BUILD, so each build gets
// its own cache and an update replaces the old one.
'use strict';

const BUILD = '__TIDINGS_BUILD__';
const SHELL_CACHE = `tidings-shell-${BUILD}`;
// Pages this user opened, for reading offline. Cleared on sign-out.
const PAGES_CACHE = 'tidings-pages';
// The server lists this build's /pkg files here: the JS, the CSS, the main
// WASM and every lazily loaded chunk, so a screen never opened online still
// works offline.
const PKG_FILES = __TIDINGS_PKG_FILES__;
const SHELL = [
  '/offline.html',
  '/manifest.webmanifest',
  ...PKG_FILES,
  '/icons/icon.svg',
  '/icons/icon-192.png',
  '/icons/badge-96.png',
];
// Never cached: anything that carries credentials or live data.
const NETWORK_ONLY = ['/api/', '/fn/', '/healthz', '/metrics', '/sw.js', '/signin', '/signup'];

self.addEventListener('install', (event) => event.waitUntil(onInstall()));
self.addEventListener('activate', (event) => event.waitUntil(onActivate()));
self.addEventListener('fetch', onFetch);
self.addEventListener('message', onMessage);
self.addEventListener('push', (event) => event.waitUntil(onPush(event)));
self.addEventListener('notificationclick', (event) => event.waitUntil(onNotificationClick(event)));
self.addEventListener('pushsubscriptionchange', (event) => event.waitUntil(onPushSubscriptionChange(event)));

async function onInstall() {
  const cache = await caches.open(SHELL_CACHE);
  await cache.addAll(SHELL);
  // The first worker takes over at once; later ones wait for the page's
  // "Reload" (see onMessage), so a running session is never swapped mid-use.
  if (!self.registration.active) await self.skipWaiting();
}

async function onActivate() {
  const names = await caches.keys();
  await Promise.all(
    names.filter((name) => name.startsWith('tidings-shell-') && name !== SHELL_CACHE).map((name) => caches.delete(name)),
  );
  await self.clients.claim();
}

function onMessage(event) {
  const type = event.data && event.data.type;
  if (type === 'skip-waiting') self.skipWaiting();
  if (type === 'clear-pages') event.waitUntil(inTurn(() => caches.delete(PAGES_CACHE)));
  if (type === 'cache-page') {
    const { url, if_missing: ifMissing, user } = event.data;
    event.waitUntil(inTurn(async () => {
      await switchUser(String(user));
      await keepPage(url, !!ifMissing);
    }));
  }
}

// Page-cache work runs one message at a time, in the order sent: a switch
// of account finishes before the new account's page is kept.
let turn = Promise.resolve();
function inTurn(work) {
  turn = turn.then(work, work);
  return turn;
}

// The kept pages are one account's: rendered for whoever was signed in.
// When another account signs in on this browser, they go (the outbox and
// the offline copy in IndexedDB are kept per account by the app).
const USER_KEY = '/__tidings/user';
async function switchUser(id) {
  const cache = await caches.open(PAGES_CACHE);
  const last = await cache.match(USER_KEY);
  if (last && (await last.text()) === id) return;
  await caches.delete(PAGES_CACHE);
  await (await caches.open(PAGES_CACHE)).put(USER_KEY, new Response(id));
}

// A page the app reached without a page load (a tap in the list): fetch
// and keep it, so reopening it offline shows the app.
async function keepPage(path, ifMissing) {
  const url = new URL(String(path), self.location.origin);
  if (url.origin !== self.location.origin || NETWORK_ONLY.some((prefix) => url.pathname.startsWith(prefix))) return;
  const cache = await caches.open(PAGES_CACHE);
  if (ifMissing && (await cache.match(url.href, { ignoreVary: true }))) return;
  try {
    const response = await fetch(url.href, { credentials: 'same-origin' });
    const html = (response.headers.get('content-type') || '').startsWith('text/html');
    if (response.ok && !response.redirected && html) await cache.put(url.href, response);
  } catch (error) {
    // Offline: the copy we have, if any, stays.
  }
}

function onFetch(event) {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (NETWORK_ONLY.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (request.mode === 'navigate') {
    event.respondWith(networkFirstPage(request));
  } else if (url.pathname.startsWith('/pkg/') || url.pathname.startsWith('/icons/')) {
    event.respondWith(cacheFirst(request));
  }
}

// HTML: the network when it answers, else the copy from the last visit,
// else the offline page.
async function networkFirstPage(request) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) {
      const cache = await caches.open(PAGES_CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(request, { ignoreSearch: true, ignoreVary: true });
    if (cached) return cached;
    // A page never opened online: the conversation list, if we have it,
    // rather than a dead end.
    const home = new URL('/', self.location.origin).href;
    if (new URL(request.url).pathname !== '/' && (await caches.match(home, { ignoreVary: true }))) {
      return Response.redirect(home, 302);
    }
    return (await caches.match('/offline.html')) || Response.error();
  }
}

// Build assets: the copy of this build if we have one, else fetch and keep it.
async function cacheFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function onPush(event) {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { title: 'Tidings', body: event.data ? event.data.text() : '' };
  }
  if (typeof data.unread === 'number' && 'setAppBadge' in self.navigator) {
    await self.navigator.setAppBadge(data.unread).catch(() => {});
  }
  if (data.type === 'dismiss') return dismiss(data);
  // Someone is looking at this very conversation: tell the page instead.
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const watching = windows.find(
    (w) => w.focused && w.visibilityState === 'visible' && data.url && new URL(w.url).pathname === data.url,
  );
  if (watching) {
    watching.postMessage({ type: 'push', payload: data });
    return;
  }
  if (data.private) Object.assign(data, await privateText(data));
  await self.registration.showNotification(data.title || 'Tidings', {
    body: data.body || '',
    icon: '/icons/icon-192.png',
    badge: '/icons/badge-96.png',
    tag: data.tag || 'tidings',
    renotify: true,
    timestamp: Date.now(),
    data: { url: data.url || '/', conversation_id: data.conversation_id, message_id: data.message_id },
    actions: data.conversation_id ? [{ action: 'mark-read', title: 'Mark as read' }] : [],
  });
}

// "New message" in the device's language, for a private push whose text
// cannot be fetched.
const NEW_MESSAGE = { en: 'New message', es: 'Mensaje nuevo', pt: 'Nova mensagem', ru: 'Новое сообщение' };

// A private push carries ids only (the push service never sees a word):
// the text comes from this server, with the device's own session. Signed
// out or offline, a generic line.
async function privateText(data) {
  const query = data.notification_id
    ? `notification_id=${encodeURIComponent(data.notification_id)}`
    : `conversation_id=${encodeURIComponent(data.conversation_id)}&message_id=${encodeURIComponent(data.message_id)}`;
  try {
    const response = await fetch(`/api/v1/push/preview?${query}`, {
      credentials: 'include',
      signal: AbortSignal.timeout(8000),
    });
    if (response.ok) {
      const preview = await response.json();
      return { title: preview.title, body: preview.body, url: preview.url };
    }
  } catch (error) {}
  const language = String(self.navigator.language || 'en').slice(0, 2);
  return { title: 'Tidings', body: NEW_MESSAGE[language] || NEW_MESSAGE.en };
}

// Read on another device: what shows for these tags is replaced by a quiet
// line that closes itself a moment later. Closing it outright would leave
// this push with nothing shown, which Chrome counts against the site's
// hidden silent-push budget; past it, Chrome shows "This site has been
// updated in the background" instead. A tag showing nothing here (closed
// by hand already) is left alone.
const READ_ELSEWHERE = {
  en: 'Read on another device', es: 'Leído en otro dispositivo', pt: 'Lido noutro dispositivo', ru: 'Прочитано на другом устройстве',
};
const REPLACED_FOR_MS = 3000;

async function dismiss(data) {
  const tags = Array.isArray(data.tags) ? data.tags.map(String) : [];
  const language = String(self.navigator.language || 'en').slice(0, 2);
  const replaced = [];
  for (const tag of tags) {
    const showing = await self.registration.getNotifications({ tag });
    if (!showing.length) continue;
    await self.registration.showNotification('Tidings', {
      body: READ_ELSEWHERE[language] || READ_ELSEWHERE.en,
      icon: '/icons/icon-192.png',
      badge: '/icons/badge-96.png',
      tag,
      silent: true,
      renotify: false,
      data: { url: '/', dismissal: true },
    });
    replaced.push(tag);
  }
  // After the push event: by then Chrome has seen a notification shown.
  if (replaced.length) setTimeout(() => closeReplaced(replaced), REPLACED_FOR_MS);
}

async function closeReplaced(tags) {
  for (const tag of tags) {
    for (const n of await self.registration.getNotifications({ tag })) {
      if (n.data && n.data.dismissal) n.close();
    }
  }
}

// A notification only ever opens a page of this site: a push payload
// naming another origin (or a javascript: URL) opens the app's start page.
function sameOriginUrl(value) {
  try {
    const url = new URL(String(value || '/'), self.location.origin);
    if (url.origin === self.location.origin) return url.href;
  } catch (error) {}
  return new URL('/', self.location.origin).href;
}

async function onNotificationClick(event) {
  const notification = event.notification;
  const data = notification.data || {};
  notification.close();
  if (event.action === 'mark-read') {
    if (data.conversation_id && data.message_id) {
      await fetch(`/api/v1/conversations/${data.conversation_id}/read`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message_id: data.message_id }),
      }).catch(() => {});
    }
    return;
  }
  const target = sameOriginUrl(data.url);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const existing = windows.find((w) => new URL(w.url).origin === self.location.origin);
  if (existing) {
    // focus() is refused without a real user gesture; navigating still helps.
    await existing.focus().catch(() => {});
    if (new URL(existing.url).href === target) return;
    try {
      await existing.navigate(target);
    } catch (error) {
      existing.postMessage({ type: 'navigate', url: target });
    }
    return;
  }
  await self.clients.openWindow(target);
}

async function onPushSubscriptionChange(event) {
  const options = (event.oldSubscription && event.oldSubscription.options) || { userVisibleOnly: true };
  if (!options.applicationServerKey) {
    const response = await fetch('/api/v1/push/vapid-public-key');
    const { key } = await response.json();
    options.applicationServerKey = key;
  }
  const subscription = event.newSubscription || (await self.registration.pushManager.subscribe(options));
  await fetch('/api/v1/push/subscriptions', {
    method: 'POST',
    credentials: 'include',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(subscription.toJSON()),
  });
  if (event.oldSubscription) {
    await fetch('/api/v1/push/subscriptions', {
      method: 'DELETE',
      credentials: 'include',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: event.oldSubscription.endpoint }),
    }).catch(() => {});
  }
}

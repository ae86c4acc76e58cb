/* The staff scanner's service worker. Served by the route /class-sessions/scanner-sw.js
   with its settings in front (self.SCANNER_SW: version, assets, staticPrefix,
   pagePattern), so its scope is /class-sessions/ and covers every scanner page.

   Caches:
     kq-scanner-assets-<version>  the page's CSS and scripts, kept at install; served
                                  from the cache first. The version is a digest of
                                  their contents, so a change installs a new worker
                                  and a new cache, and the old one is deleted.
     kq-scanner-pages             scanner pages, one per class session: network first
                                  (a fresh page carries the current CSRF token and
                                  login state), the kept copy when the network fails
                                  or is slower than a few seconds.
   Nothing else is touched: API requests, other pages of the scope and other files go
   to the network as if there were no worker. Scans are queued by the page (IndexedDB),
   not here, and sent by the page: no Background Sync.

   A classic worker, not a module one: module service workers are missing from the
   older Safari and Firefox of the phones and tablets staff use. */
"use strict";

const CONFIG = self.SCANNER_SW;
const ASSET_CACHE = `kq-scanner-assets-${CONFIG.version}`;
const PAGE_CACHE = "kq-scanner-pages";
const PAGE_PATH = new RegExp(CONFIG.pagePattern);
const NETWORK_WAIT_MS = 5000;
const MAX_PAGES = 30;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(ASSET_CACHE);
    await cache.addAll(CONFIG.assets);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const old = (await caches.keys()).filter((name) =>
      name.startsWith("kq-scanner-assets-") && name !== ASSET_CACHE);
    await Promise.all(old.map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

function isPage(response) {
  const type = response.headers.get("Content-Type") || "";
  return response.ok && !response.redirected && response.type === "basic" &&
    type.startsWith("text/html");
}

async function keepPage(path, response) {
  const cache = await caches.open(PAGE_CACHE);
  await cache.put(path, response);
  const requests = await cache.keys();  // oldest first
  const extra = Math.max(0, requests.length - MAX_PAGES);
  await Promise.all(requests.slice(0, extra).map((request) => cache.delete(request)));
}

function keptPage(path) {
  return caches.match(path, { cacheName: PAGE_CACHE });
}

/* The network's answer, or the kept copy when the network fails, errs (5xx) or takes
   longer than NETWORK_WAIT_MS; a late answer still refreshes the copy. */
async function pageFromNetworkFirst(request, path) {
  const fromNetwork = fetch(request).then(async (response) => {
    if (isPage(response)) {
      await keepPage(path, response.clone());
    }
    return response;
  });
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(null), NETWORK_WAIT_MS);
  });
  let response;
  try {
    response = await Promise.race([fromNetwork, late]);
  } catch (error) {
    clearTimeout(timer);
    const copy = await keptPage(path);
    if (copy) {
      return copy;
    }
    throw error;
  }
  clearTimeout(timer);
  if (response && response.status < 500) {
    return response;
  }
  return (await keptPage(path)) || response || fromNetwork;
}

/* Listed assets: the versioned cache first. Other static files that pages in the scope
   ask for: the network first, a copy kept for offline (a few small files). */
async function staticFile(request, listed) {
  const cache = await caches.open(ASSET_CACHE);
  const copy = await cache.match(request, { ignoreSearch: listed });
  if (copy && listed) {
    return copy;
  }
  try {
    const response = await fetch(request);
    if (response.ok) {
      cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    if (copy) {
      return copy;
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate" && PAGE_PATH.test(url.pathname)) {
    event.respondWith(pageFromNetworkFirst(request, url.pathname));
    return;
  }
  if (url.pathname.startsWith(CONFIG.staticPrefix)) {
    event.respondWith(staticFile(request, CONFIG.assets.includes(url.pathname)));
  }
});

/* From a scanner page: {type: "keep", page, assets, fetchPage}. Keeps the page (fetched
   again when the page was not served through this worker) and the static files it
   uses; answers {ok} on the message's port once the page can open offline. */
async function keep(data) {
  const assets = (data.assets || []).filter((path) => path.startsWith(CONFIG.staticPrefix));
  const keptAssets = caches.open(ASSET_CACHE).then((cache) =>
    Promise.all(assets.map(async (path) => (await cache.match(path)) || cache.add(path))));
  const page = data.page;
  let fetchedPage = Promise.resolve();
  if (data.fetchPage && PAGE_PATH.test(page)) {
    fetchedPage = fetch(page, { credentials: "same-origin", cache: "no-store" }).then((response) =>
      (isPage(response) ? keepPage(page, response) : undefined));
  }
  await Promise.all([keptAssets, fetchedPage]);
  return Boolean(await keptPage(page));
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const port = event.ports && event.ports[0];
  if (data.type !== "keep" || !port) {
    return;
  }
  event.waitUntil(keep(data).then(
    (ok) => port.postMessage({ ok }),
    () => port.postMessage({ ok: false }),
  ));
});

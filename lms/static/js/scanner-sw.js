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
   not here, and sent by the page: no Background Sync. */
"use strict";

var CONFIG = self.SCANNER_SW;
var ASSET_CACHE = "kq-scanner-assets-" + CONFIG.version;
var PAGE_CACHE = "kq-scanner-pages";
var PAGE_PATH = new RegExp(CONFIG.pagePattern);
var NETWORK_WAIT_MS = 5000;
var MAX_PAGES = 30;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(ASSET_CACHE)
      .then(function (cache) { return cache.addAll(CONFIG.assets); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("kq-scanner-assets-") === 0 && name !== ASSET_CACHE;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function isPage(response) {
  var type = response.headers.get("Content-Type") || "";
  return response.ok && !response.redirected && response.type === "basic" &&
    type.indexOf("text/html") === 0;
}

function keepPage(path, response) {
  return caches.open(PAGE_CACHE).then(function (cache) {
    return cache.put(path, response).then(function () { return cache.keys(); })
      .then(function (requests) {
        var extra = requests.length - MAX_PAGES;  // oldest first
        return Promise.all(requests.slice(0, Math.max(0, extra)).map(function (request) {
          return cache.delete(request);
        }));
      });
  });
}

/* The network's answer, or the kept copy when the network fails, errs (5xx) or takes
   longer than NETWORK_WAIT_MS; a late answer still refreshes the copy. */
function pageFromNetworkFirst(request, path) {
  var fromNetwork = fetch(request).then(function (response) {
    if (isPage(response)) {
      return keepPage(path, response.clone()).then(function () { return response; });
    }
    return response;
  });
  var timer;
  var late = new Promise(function (resolve) {
    timer = setTimeout(function () { resolve(null); }, NETWORK_WAIT_MS);
  });
  function kept() { return caches.match(path, { cacheName: PAGE_CACHE }); }
  return Promise.race([fromNetwork, late]).then(function (response) {
    clearTimeout(timer);
    if (response && response.status < 500) {
      return response;
    }
    return kept().then(function (copy) {
      return copy || response || fromNetwork;
    });
  }, function (error) {
    clearTimeout(timer);
    return kept().then(function (copy) {
      if (copy) {
        return copy;
      }
      throw error;
    });
  });
}

/* Listed assets: the versioned cache first. Other static files that pages in the scope
   ask for: the network first, a copy kept for offline (a few small files). */
function staticFile(request, path, listed) {
  return caches.open(ASSET_CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: listed }).then(function (copy) {
      if (copy && listed) {
        return copy;
      }
      return fetch(request).then(function (response) {
        if (response.ok) {
          cache.put(request, response.clone());
        }
        return response;
      }, function (error) {
        if (copy) {
          return copy;
        }
        throw error;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate" && PAGE_PATH.test(url.pathname)) {
    event.respondWith(pageFromNetworkFirst(request, url.pathname));
    return;
  }
  if (url.pathname.indexOf(CONFIG.staticPrefix) === 0) {
    var listed = CONFIG.assets.indexOf(url.pathname) !== -1;
    event.respondWith(staticFile(request, url.pathname, listed));
  }
});

/* From a scanner page: {type: "keep", page, assets, fetchPage}. Keeps the page (fetched
   again when the page was not served through this worker) and the static files it
   uses; answers {ok} on the message's port once the page can open offline. */
function keep(data) {
  var assets = (data.assets || []).filter(function (path) {
    return path.indexOf(CONFIG.staticPrefix) === 0;
  });
  var keptAssets = caches.open(ASSET_CACHE).then(function (cache) {
    return Promise.all(assets.map(function (path) {
      return cache.match(path).then(function (copy) {
        return copy || cache.add(path);
      });
    }));
  });
  var page = data.page;
  var keptPage = Promise.resolve();
  if (data.fetchPage && PAGE_PATH.test(page)) {
    keptPage = fetch(page, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (isPage(response)) {
        return keepPage(page, response);
      }
    });
  }
  return Promise.all([keptAssets, keptPage]).then(function () {
    return caches.match(page, { cacheName: PAGE_CACHE });
  }).then(function (copy) { return Boolean(copy); });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  if (data.type !== "keep" || !port) {
    return;
  }
  event.waitUntil(keep(data).then(function (ok) {
    port.postMessage({ ok: ok });
  }, function () {
    port.postMessage({ ok: false });
  }));
});

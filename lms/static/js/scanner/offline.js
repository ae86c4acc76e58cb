/* Working offline: the service worker (/class-sessions/scanner-sw.js, a classic worker
   for the browsers without module workers) keeps this page and its files. Its install
   caches the files listed in lms/attendance/scanner_views.py (SCANNER_ASSETS: every
   module of this folder); the page asks it to keep the page itself too. */
import { settings } from "./settings.js";

/* The same-origin scripts and stylesheets the page names (modules they import are on
   the worker's own list). */
function pageFiles() {
  return Array.from(document.querySelectorAll('script[src], link[rel~="stylesheet"][href]'))
    .map((node) => new URL(node.src || node.href, location.href))
    .filter((url) => url.origin === location.origin)
    .map((url) => url.pathname);
}

function askToKeep(worker, message) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(Boolean(event.data && event.data.ok));
    worker.postMessage(message, [channel.port2]);
  });
}

/* True once the page opens without a network; false when it cannot. */
export async function keepForOffline() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) {
    return false;
  }
  const servedByWorker = Boolean(navigator.serviceWorker.controller);
  try {
    await navigator.serviceWorker.register(settings.urls.worker, { scope: settings.urls.workerScope });
    const registration = await navigator.serviceWorker.ready;
    return await askToKeep(registration.active, {
      type: "keep", page: location.pathname, assets: pageFiles(), fetchPage: !servedByWorker,
    });
  } catch (error) {
    return false;  // no offline copy this time; the page still works online
  }
}

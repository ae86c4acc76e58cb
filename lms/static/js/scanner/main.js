/* The staff scanner (templates/attendance/scanner.html): reads learning cards with the
   camera (camera.js) or as typed card numbers, shows the learner from the roster kept
   on the device at once (roster.js), queues every scan in IndexedDB (queue.js,
   store.js) and sends the queue itself (sync.js); view.js draws it all, offline.js has
   the service worker keep the page. Settings and every visible word come from the
   page's JSON block (settings.js). */
import { cameraWanted, setUpCamera, startCamera } from "./camera.js";
import { keepForOffline } from "./offline.js";
import { enqueueTake, refreshList, setMode, takeRead } from "./queue.js";
import { refreshRoster, useKeptRoster } from "./roster.js";
import { settings } from "./settings.js";
import * as store from "./store.js";
import { sync } from "./sync.js";
import { el, markOfflineReady, markReady, say, show, showNetwork, unlockAudio } from "./view.js";

const SYNC_EVERY_MS = 15000;
const ROSTER_EVERY_MS = 60000;

function sendWhenQueued(taken) {
  taken.then((queued) => {
    if (queued) {
      sync();
    }
  });
  return taken;
}

function takeTypedNumber(event) {
  event.preventDefault();
  unlockAudio();
  const input = el("card-number");
  const number = input.value.replace(/\s+/g, "");
  if (!/^\d{1,20}$/.test(number)) {
    show(say("badNumber"), "", "refused");
    input.focus();
    return;
  }
  input.value = "";
  sendWhenQueued(enqueueTake("number", number)).then(() => input.focus());
}

/* Logging out clears the device's data (the server sends Clear-Site-Data), the queue
   with it: ask first while it holds scans not sent yet, of anyone. */
function askBeforeLoggingOut() {
  const form = document.querySelector(`form[action="${settings.urls.logout}"]`);
  if (!form) {
    return;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let waiting = 0;
    try {
      waiting = (await store.waitingScans()).length;
    } catch (error) {
      // no store to read: nothing of it can be lost
    }
    if (waiting === 0 || window.confirm(say("logOutLosesScans", { n: waiting }))) {
      form.submit();  // submits without this listener running again
    }
  });
}

function listen() {
  askBeforeLoggingOut();
  if (!window.isSecureContext) {
    el("insecure").hidden = false;
  }
  for (const input of document.querySelectorAll('input[name="mode"]')) {
    input.addEventListener("change", () => {
      if (input.checked) {
        setMode(input.value);
      }
    });
  }
  setUpCamera((read) => sendWhenQueued(takeRead(read)));
  el("manual-form").addEventListener("submit", takeTypedNumber);
  el("send-now").addEventListener("click", () => sync());
  window.addEventListener("online", () => {
    showNetwork(false);
    sync();
    refreshRoster();
  });
  window.addEventListener("offline", () => showNetwork(false));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      sync();
    }
  });
  setInterval(sync, SYNC_EVERY_MS);
  setInterval(() => {
    if (navigator.onLine && document.visibilityState === "visible") {
      refreshRoster();
    }
  }, ROSTER_EVERY_MS);
}

async function start() {
  listen();
  showNetwork(false);
  try {
    await store.forgetOldAnswers();
  } catch (error) {
    // an old answer more in the list
  }
  await useKeptRoster();
  await refreshList();
  markReady();
  keepForOffline().then((kept) => {
    if (kept) {
      markOfflineReady();
    }
  });
  if (cameraWanted()) {
    startCamera();
  }
  if (navigator.onLine) {
    await refreshRoster();
  }
  await sync();
}

if (settings) {
  start();
}

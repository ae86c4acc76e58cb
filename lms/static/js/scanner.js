/* The staff scanner (templates/attendance/scanner.html): reads learning cards with the
   camera (jsQR on canvas frames) or as typed card numbers, shows the learner from the
   roster kept on the device at once, queues every scan in IndexedDB (scanner-db.js)
   with a nonce, the device's time and the mode, and sends the queue itself: on load,
   on the "online" event, when the page is shown again, after each scan and every few
   seconds. A scan stays queued until the server has answered it; the same nonce sent
   twice is answered "duplicate" and counts once.

   Settings and every visible word come from data-* attributes (#scanner, #scanner-text):
   no inline script, so the page runs under a Content-Security-Policy without
   'unsafe-inline'. */
(function () {
  "use strict";

  const root = document.getElementById("scanner");
  if (!root || !window.ScannerStore) {
    return;
  }
  const config = root.dataset;
  const text = document.getElementById("scanner-text").dataset;
  const store = window.ScannerStore;
  const sessionId = Number(config.sessionId);
  const staffId = Number(config.staffId);
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');

  const SYNC_EVERY_MS = 15000;
  const ROSTER_EVERY_MS = 60000;
  const REQUEST_TIMEOUT_MS = 20000;
  const SAME_CARD_QUIET_MS = 4000;  // a card still in view is read once
  const FRAME_EVERY_MS = 150;
  const BATCH_SIZE = 200;
  const SHOWN_SCANS = 100;
  const CAMERA_WANTED = "kq-scanner-camera";

  const state = {
    mode: "checkin",
    csrf: csrfMeta ? csrfMeta.content : "",
    roster: null,
    byKey: new Map(),
    byNumber: new Map(),
    byId: new Map(),
    scans: [],
    syncing: false,
    lastNonce: null,
    takes: Promise.resolve()
  };

  function el(id) {
    return document.getElementById(id);
  }

  function say(key, values) {
    let words = text[key] || "";
    Object.keys(values || {}).forEach(function (name) {
      words = words.replace("{" + name + "}", values[name]);
    });
    return words;
  }

  function camel(word) {
    return word.replace(/_([a-z])/g, function (_match, letter) { return letter.toUpperCase(); });
  }

  function clock(iso, seconds) {
    const moment = new Date(iso);
    const parts = [moment.getHours(), moment.getMinutes()].concat(seconds ? [moment.getSeconds()] : []);
    return parts.map(function (part) { return String(part).padStart(2, "0"); }).join(":");
  }

  function modeLabel(mode) {
    return mode === "checkout" ? text.checkout : text.checkin;
  }

  function statusLabel(status) {
    return text[camel(status)] || status;
  }

  function reasonLabel(reason) {
    if (!reason) {
      return "";
    }
    if (/^bad_/.test(reason)) {
      return text.reasonUnreadable;
    }
    return text[camel("reason_" + reason)] || "";
  }

  /* ---- the roster kept on the device ---- */

  function useRoster(saved) {
    state.roster = saved;
    state.byKey = new Map();
    state.byNumber = new Map();
    state.byId = new Map();
    (saved ? saved.roster.learners : []).forEach(function (learner) {
      state.byKey.set(learner.card_key, learner);
      state.byNumber.set(learner.card_number, learner);
      state.byId.set(learner.id, learner);
    });
    if (saved) {
      root.dataset.rosterAt = saved.fetchedAt;
    }
    el("roster-state").textContent = saved
      ? say("rosterSaved", { time: clock(saved.fetchedAt, false) })
      : text.rosterMissing;
  }

  function request(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    const settings = Object.assign({ credentials: "same-origin", cache: "no-store" }, options);
    settings.signal = controller.signal;
    settings.headers = Object.assign({ Accept: "application/json" }, settings.headers);
    return fetch(url, settings).finally(function () { clearTimeout(timer); });
  }

  async function refreshRoster() {
    try {
      const response = await request(config.rosterUrl, {});
      if (response.status === 401) {
        askToLogIn();
        return;
      }
      if (!response.ok) {
        return;
      }
      await store.saveRoster(sessionId, await response.json());
      useRoster(await store.loadRoster(sessionId));
    } catch (error) {
      // offline or slow: the kept roster stays in use
    }
  }

  /* ---- reading a card ---- */

  async function cardKey(payload) {
    if (!window.crypto || !crypto.subtle) {
      return null;
    }
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(payload));
    return Array.from(new Uint8Array(digest)).map(function (byte) {
      return byte.toString(16).padStart(2, "0");
    }).join("").slice(0, 24);
  }

  /* The card's QR text as the server writes it, or null when it is no learning card. */
  function cardPayload(read) {
    const value = (read || "").trim();
    const match = /^KQCARD:(\d{1,3}):([0-9A-Fa-f]{32})$/.exec(value);
    if (match) {
      return "KQCARD:" + match[1] + ":" + match[2].toUpperCase();
    }
    return value.indexOf("KQCARD:") === 0 && value.length <= 200 ? value : null;
  }

  function newNonce() {
    if (crypto.randomUUID) {
      return crypto.randomUUID();
    }
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes).map(function (byte) { return byte.toString(16).padStart(2, "0"); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function sameCard(scan, kind, value, learnerId) {
    if (learnerId !== null && scan.learnerId === learnerId) {
      return true;
    }
    return scan.kind === kind && (kind === "card" ? scan.payload === value : scan.cardNumber === value);
  }

  /* What the device knows of this card in this mode: "queued", "done" or null. */
  function knownState(kind, value, learnerId, mode) {
    for (const scan of state.scans) {
      if (scan.mode !== mode || !sameCard(scan, kind, value, learnerId)) {
        continue;
      }
      if (scan.state === "waiting") {
        return "queued";
      }
      if (scan.result && (scan.result.status === "recorded" || scan.result.status === "duplicate")) {
        return "done";
      }
    }
    const learner = learnerId !== null ? state.byId.get(learnerId) : null;
    if (learner && (mode === "checkin" ? learner.checked_in : learner.checked_out)) {
      return "done";
    }
    return null;
  }

  function show(name, status, tone, nonce) {
    el("last-name").textContent = name;
    el("last-status").textContent = status;
    el("last-scan").dataset.state = tone;
    state.lastNonce = nonce || null;
  }

  async function take(kind, value) {
    const mode = state.mode;
    const learner = kind === "card" ? state.byKey.get(await cardKey(value)) : state.byNumber.get(value);
    const learnerId = learner ? learner.id : null;
    const name = learner ? learner.name
      : kind === "number" ? say("number", { number: value }) : text.unknownLearner;
    const known = knownState(kind, value, learnerId, mode);
    if (known === "queued") {
      show(name, modeLabel(mode) + " · " + text.alreadyQueued, "repeat");
      feedback(false);
      return;
    }
    if (known === "done") {
      show(name, mode === "checkout" ? text.alreadyOut : text.alreadyIn, "repeat");
      feedback(false);
      return;
    }
    const scan = {
      nonce: newNonce(),
      sessionId: sessionId,
      staffId: staffId,
      kind: kind,
      payload: kind === "card" ? value : null,
      cardNumber: kind === "number" ? value : null,
      mode: mode,
      scannedAt: new Date().toISOString(),
      state: "waiting",
      learnerId: learnerId,
      learnerName: learner ? learner.name : null
    };
    await store.addScan(scan);
    let hint = learner ? text.onRoster : text.notOnRoster;
    if (learner && mode === "checkout" && knownState(kind, value, learnerId, "checkin") === null) {
      hint = text.notIn;
    }
    show(name, [modeLabel(mode), text.waiting, hint].join(" · "), "waiting", scan.nonce);
    feedback(true);
    await refreshList();
    sync();
  }

  function enqueueTake(kind, value) {
    state.takes = state.takes.then(function () { return take(kind, value); }).catch(function () {});
    return state.takes;
  }

  /* ---- sound and vibration ---- */

  let audio = null;

  function unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      audio = new Context();
    }
    if (audio && audio.state === "suspended") {
      audio.resume();
    }
  }

  function feedback(good) {
    try {
      unlockAudio();
      if (audio) {
        const tone = audio.createOscillator();
        const volume = audio.createGain();
        tone.frequency.value = good ? 880 : 300;
        volume.gain.value = 0.2;
        tone.connect(volume);
        volume.connect(audio.destination);
        tone.start();
        tone.stop(audio.currentTime + (good ? 0.12 : 0.35));
      }
    } catch (error) {
      // no sound on this device
    }
    if (navigator.vibrate) {
      navigator.vibrate(good ? 80 : [60, 60, 60]);
    }
  }

  /* ---- the camera ---- */

  const video = el("camera");
  const toggle = el("camera-toggle");
  const frame = document.createElement("canvas");
  const camera = { stream: null, timer: null, seen: new Map() };

  function cameraState(words) {
    el("camera-state").textContent = words;
  }

  function rememberCamera(on) {
    try {
      localStorage.setItem(CAMERA_WANTED, on ? "on" : "off");
    } catch (error) {
      // private mode: not remembered
    }
  }

  function cameraWanted() {
    try {
      return localStorage.getItem(CAMERA_WANTED) === "on";
    } catch (error) {
      return false;
    }
  }

  async function startCamera() {
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia ||
        typeof window.jsQR !== "function") {
      cameraState(text.cameraMissing);
      return;
    }
    try {
      camera.stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } }
      });
    } catch (error) {
      cameraState(text.cameraFailed);
      rememberCamera(false);
      return;
    }
    video.srcObject = camera.stream;
    video.hidden = false;
    try {
      await video.play();
    } catch (error) {
      // muted inline video plays; a refusal still leaves frames to read
    }
    toggle.textContent = text.stopCamera;
    toggle.dataset.on = "true";
    cameraState(text.cameraOn);
    rememberCamera(true);
    camera.timer = setTimeout(readFrame, FRAME_EVERY_MS);
  }

  function stopCamera() {
    clearTimeout(camera.timer);
    if (camera.stream) {
      camera.stream.getTracks().forEach(function (track) { track.stop(); });
    }
    camera.stream = null;
    video.srcObject = null;
    video.hidden = true;
    toggle.textContent = text.startCamera;
    toggle.dataset.on = "false";
    cameraState(text.cameraOff);
    rememberCamera(false);
  }

  function readFrame() {
    if (!camera.stream) {
      return;
    }
    if (video.readyState >= 2 && video.videoWidth) {
      const scale = Math.min(1, 800 / video.videoWidth);
      const width = Math.round(video.videoWidth * scale);
      const height = Math.round(video.videoHeight * scale);
      frame.width = width;
      frame.height = height;
      const context = frame.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, width, height);
      const found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height,
        { inversionAttempts: "attemptBoth" });
      if (found && found.data) {
        decoded(found.data);
      }
    }
    camera.timer = setTimeout(readFrame, FRAME_EVERY_MS);
  }

  function decoded(read) {
    const now = Date.now();
    const last = camera.seen.get(read);
    camera.seen.set(read, now);
    camera.seen.forEach(function (when, key) {
      if (now - when > 10 * SAME_CARD_QUIET_MS) {
        camera.seen.delete(key);
      }
    });
    if (last && now - last < SAME_CARD_QUIET_MS) {
      return;
    }
    const payload = cardPayload(read);
    if (!payload) {
      show(text.notACard, "", "refused");
      feedback(false);
      return;
    }
    enqueueTake("card", payload);
  }

  /* ---- sending the queue ---- */

  function askToLogIn() {
    el("login-again").hidden = false;
  }

  function problem(words) {
    const box = el("sync-problem");
    box.textContent = words || "";
    box.hidden = !words;
  }

  function showNetwork(sending) {
    const box = el("network");
    box.dataset.online = navigator.onLine ? "true" : "false";
    box.textContent = sending ? text.sending : navigator.onLine ? text.online : text.offline;
  }

  function postScans(url, body) {
    return request(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": state.csrf },
      body: JSON.stringify(body)
    });
  }

  /* The CSRF token of the current login session. A page kept offline carries the token
     of the session it was fetched in; after logging in again it is refused (400). */
  async function freshToken() {
    const response = await request(config.tokenUrl, {});
    if (response.status === 401) {
      askToLogIn();
      return false;
    }
    if (!response.ok) {
      return false;
    }
    state.csrf = (await response.json()).csrf_token;
    if (csrfMeta) {
      csrfMeta.content = state.csrf;
    }
    document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
      input.value = state.csrf;
    });
    return true;
  }

  async function errorOf(response) {
    try {
      return (await response.clone().json()).error || "";
    } catch (error) {
      return "";
    }
  }

  function wire(scan) {
    const item = { nonce: scan.nonce, scanned_at: scan.scannedAt, mode: scan.mode };
    if (scan.kind === "number") {
      item.card_number = scan.cardNumber;
    } else {
      item.payload = scan.payload;
    }
    return item;
  }

  /* One batch of one session and kind; "sent", "skip" (refused, kept) or "stop". */
  async function sendBatch(batch) {
    const pattern = batch.kind === "number" ? config.numberScansUrl : config.scansUrl;
    const url = pattern.replace("{id}", String(batch.sessionId));
    const scans = batch.scans.map(wire);
    let response = await postScans(url, { device_now: new Date().toISOString(), scans: scans });
    if (response.status === 400 && (await errorOf(response)) !== "bad_batch") {
      if (!(await freshToken())) {
        return "stop";
      }
      response = await postScans(url, { device_now: new Date().toISOString(), scans: scans });
    }
    if (response.status === 401) {
      askToLogIn();
      return "stop";
    }
    if (response.status === 403) {
      problem((await errorOf(response)) === "consent_required" ? text.consent : text.forbidden);
      return "skip";
    }
    if (response.status === 404 && (await errorOf(response)) === "not_found") {
      for (const scan of batch.scans) {
        await store.answer(scan.nonce, { status: "invalid", reason: "unknown_session", learner: null });
      }
      return "sent";
    }
    if (!response.ok) {
      problem(text.serverError);
      return "stop";
    }
    const answer = await response.json();
    for (const result of answer.results) {
      await store.answer(result.nonce, result);
    }
    el("login-again").hidden = true;
    return "sent";
  }

  /* This staff member's waiting scans, oldest first, cut into runs of one session and
     kind: sent in that order, a check-out never goes before its check-in. */
  function batchesOf(waiting) {
    const batches = [];
    waiting.sort(function (a, b) { return a.scannedAt < b.scannedAt ? -1 : a.scannedAt > b.scannedAt ? 1 : 0; });
    waiting.forEach(function (scan) {
      const last = batches[batches.length - 1];
      if (last && last.sessionId === scan.sessionId && last.kind === scan.kind &&
          last.scans.length < BATCH_SIZE) {
        last.scans.push(scan);
      } else {
        batches.push({ sessionId: scan.sessionId, kind: scan.kind, scans: [scan] });
      }
    });
    return batches;
  }

  async function sendQueue() {
    state.syncing = true;
    let sent = 0;
    let refused = false;
    try {
      const waiting = (await store.waitingScans()).filter(function (scan) { return scan.staffId === staffId; });
      if (!waiting.length) {
        return;
      }
      showNetwork(true);
      for (const batch of batchesOf(waiting)) {
        const outcome = await sendBatch(batch);
        if (outcome === "stop") {
          break;
        }
        if (outcome === "sent") {
          sent += batch.scans.length;
        } else {
          refused = true;
        }
      }
      if (sent && !refused) {
        problem("");
      }
    } catch (error) {
      // the network failed on the way: everything not answered stays queued
    } finally {
      state.syncing = false;
      showNetwork(false);
      await refreshList();
    }
    if (sent) {
      refreshRoster();
    }
  }

  function sync() {
    if (state.syncing || !navigator.onLine) {
      return Promise.resolve();
    }
    if (navigator.locks && navigator.locks.request) {
      // one tab sends at a time; the server would count a repeat once anyway
      return navigator.locks.request("kq-scanner-sync", { ifAvailable: true }, function (lock) {
        return lock ? sendQueue() : null;
      });
    }
    return sendQueue();
  }

  /* ---- the list and the badge ---- */

  function scanItem(scan) {
    const item = document.createElement("li");
    item.className = "scan-item";
    item.dataset.nonce = scan.nonce;
    item.dataset.state = scan.state;
    item.dataset.status = scan.result ? scan.result.status : "waiting";
    const name = document.createElement("span");
    name.className = "scan-name";
    name.textContent = scan.learnerName ||
      (scan.kind === "number" ? say("number", { number: scan.cardNumber }) : text.unknownLearner);
    const when = document.createElement("time");
    when.dateTime = scan.scannedAt;
    when.textContent = clock(scan.scannedAt, true);
    const result = document.createElement("span");
    result.className = "scan-result";
    result.textContent = scan.result
      ? [statusLabel(scan.result.status), reasonLabel(scan.result.reason)].filter(Boolean).join(" · ")
      : text.waiting;
    item.append(name, " ", modeLabel(scan.mode), " ", when, " ", result);
    return item;
  }

  async function refreshList() {
    state.scans = await store.sessionScans(sessionId);
    const mine = (await store.waitingScans()).filter(function (scan) { return scan.staffId === staffId; });
    const here = mine.filter(function (scan) { return scan.sessionId === sessionId; }).length;
    const badge = el("queue-count");
    badge.textContent = String(here);
    badge.dataset.count = String(here);
    const others = el("other-queues");
    others.hidden = mine.length === here;
    others.textContent = say("otherQueues", { n: mine.length - here });
    const list = el("scan-list");
    list.replaceChildren.apply(list, state.scans.slice(0, SHOWN_SCANS).map(scanItem));
    const last = state.scans.find(function (scan) { return scan.nonce === state.lastNonce; });
    if (last && last.result) {
      const words = [modeLabel(last.mode), statusLabel(last.result.status), reasonLabel(last.result.reason)];
      show(last.learnerName || el("last-name").textContent, words.filter(Boolean).join(" · "),
        last.result.status, last.nonce);
    }
  }

  /* ---- working offline: the service worker keeps this page and its files ---- */

  function pageFiles() {
    return Array.from(document.querySelectorAll('script[src], link[rel~="stylesheet"][href]'))
      .map(function (node) { return new URL(node.src || node.href, location.href); })
      .filter(function (url) { return url.origin === location.origin; })
      .map(function (url) { return url.pathname; });
  }

  function keepForOffline() {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) {
      return;
    }
    const servedByWorker = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker.register(config.workerUrl, { scope: config.workerScope })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        return new Promise(function (resolve) {
          const channel = new MessageChannel();
          channel.port1.onmessage = function (event) { resolve(Boolean(event.data && event.data.ok)); };
          registration.active.postMessage(
            { type: "keep", page: location.pathname, assets: pageFiles(), fetchPage: !servedByWorker },
            [channel.port2]
          );
        });
      })
      .then(function (kept) {
        if (kept) {
          root.dataset.offlineReady = "true";
          el("offline-ready").hidden = false;
        }
      })
      .catch(function () {
        // no offline copy this time; the page still works online
      });
  }

  /* ---- start ---- */

  function start() {
    if (!window.isSecureContext) {
      el("insecure").hidden = false;
      toggle.disabled = true;
    }
    document.querySelectorAll('input[name="mode"]').forEach(function (input) {
      input.addEventListener("change", function () {
        if (input.checked) {
          state.mode = input.value;
        }
      });
    });
    toggle.addEventListener("click", function () {
      unlockAudio();
      if (camera.stream) {
        stopCamera();
      } else {
        startCamera();
      }
    });
    el("manual-form").addEventListener("submit", function (event) {
      event.preventDefault();
      unlockAudio();
      const input = el("card-number");
      const number = input.value.replace(/\s+/g, "");
      if (!/^\d{1,20}$/.test(number)) {
        show(text.badNumber, "", "refused");
        input.focus();
        return;
      }
      input.value = "";
      enqueueTake("number", number).then(function () { input.focus(); });
    });
    el("send-now").addEventListener("click", function () { sync(); });
    window.addEventListener("online", function () { showNetwork(false); sync(); refreshRoster(); });
    window.addEventListener("offline", function () { showNetwork(false); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        sync();
      }
    });
    setInterval(sync, SYNC_EVERY_MS);
    setInterval(function () {
      if (navigator.onLine && document.visibilityState === "visible") {
        refreshRoster();
      }
    }, ROSTER_EVERY_MS);

    showNetwork(false);
    store.forgetOldAnswers()
      .catch(function () {})
      .then(function () { return store.loadRoster(sessionId); })
      .then(useRoster)
      .then(refreshList)
      .then(function () {
        root.dataset.ready = "true";
        keepForOffline();
        if (cameraWanted()) {
          startCamera();
        }
        return navigator.onLine ? refreshRoster() : null;
      })
      .then(sync);
  }

  start();
})();

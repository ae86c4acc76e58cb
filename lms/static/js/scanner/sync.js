/* Sending the queue: this staff member's waiting scans, oldest first, in batches of one
   session and kind, on load, on "online", when the page is shown again, after each scan
   and every few seconds. A scan stays queued until the server has answered it; the same
   nonce sent twice is answered "duplicate" and counts once. One tab sends at a time. */
import { csrfToken, useCsrfToken } from "../csrf.js";
import { fillUrl } from "../page.js";
import { request } from "./http.js";
import { myWaitingScans, refreshList } from "./queue.js";
import { refreshRoster } from "./roster.js";
import { settings } from "./settings.js";
import * as store from "./store.js";
import { askToLogIn, loggedIn, problem, say, showNetwork } from "./view.js";

const BATCH_SIZE = 200;
let syncing = false;

function postScans(url, scans) {
  return request(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({ device_now: new Date().toISOString(), scans }),
  });
}

/* The CSRF token of the current login session. A page kept offline carries the token
   of the session it was fetched in; after logging in again it is refused (400). */
async function freshToken() {
  const response = await request(settings.urls.csrfToken);
  if (response.status === 401) {
    askToLogIn();
    return false;
  }
  if (!response.ok) {
    return false;
  }
  useCsrfToken((await response.json()).csrf_token);
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
  const template = batch.kind === "number" ? settings.urls.numberScans : settings.urls.scans;
  const url = fillUrl(template, { id: batch.sessionId });
  const scans = batch.scans.map(wire);
  let response = await postScans(url, scans);
  if (response.status === 400 && (await errorOf(response)) !== "bad_batch") {
    if (!(await freshToken())) {
      return "stop";
    }
    response = await postScans(url, scans);
  }
  if (response.status === 401) {
    askToLogIn();
    return "stop";
  }
  if (response.status === 403) {
    problem(say((await errorOf(response)) === "consent_required" ? "consent" : "forbidden"));
    return "skip";
  }
  if (response.status === 404 && (await errorOf(response)) === "not_found") {
    for (const scan of batch.scans) {
      await store.answer(scan.nonce, { status: "invalid", reason: "unknown_session", learner: null });
    }
    return "sent";
  }
  if (!response.ok) {
    problem(say("serverError"));
    return "stop";
  }
  const answer = await response.json();
  for (const result of answer.results) {
    await store.answer(result.nonce, result);
  }
  loggedIn();
  return "sent";
}

/* Waiting scans, oldest first, cut into runs of one session and kind: sent in that
   order, a check-out never goes before its check-in. */
function batchesOf(waiting) {
  const batches = [];
  waiting.sort((a, b) => (a.scannedAt < b.scannedAt ? -1 : a.scannedAt > b.scannedAt ? 1 : 0));
  for (const scan of waiting) {
    const last = batches[batches.length - 1];
    if (last && last.sessionId === scan.sessionId && last.kind === scan.kind &&
        last.scans.length < BATCH_SIZE) {
      last.scans.push(scan);
    } else {
      batches.push({ sessionId: scan.sessionId, kind: scan.kind, scans: [scan] });
    }
  }
  return batches;
}

async function sendQueue() {
  syncing = true;
  let sent = 0;
  let refused = false;
  try {
    const waiting = await myWaitingScans();
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
    syncing = false;
    showNetwork(false);
    await refreshList();
  }
  if (sent) {
    refreshRoster();
  }
}

export function sync() {
  if (syncing || !navigator.onLine) {
    return Promise.resolve();
  }
  if (navigator.locks && navigator.locks.request) {
    // one tab sends at a time; the server would count a repeat once anyway
    return navigator.locks.request("kq-scanner-sync", { ifAvailable: true },
      (lock) => (lock ? sendQueue() : null));
  }
  return sendQueue();
}

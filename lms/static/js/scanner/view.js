/* What the scanner shows and sounds: the last scan, the queue and its list, the network,
   the roster's age, problems; the state tests and the offline copy wait for is written
   on #scanner as data-ready, data-offline-ready and data-roster-at. */
import { format } from "../page.js";
import { settings } from "./settings.js";

const SHOWN_SCANS = 100;
let lastNonce = null;  // the scan shown as the last one, updated once it is answered
let audio = null;

export function el(id) {
  return document.getElementById(id);
}

export function say(key, values) {
  return format(settings.messages[key], values);
}

function clock(iso, seconds) {
  const moment = new Date(iso);
  const parts = [moment.getHours(), moment.getMinutes()];
  if (seconds) {
    parts.push(moment.getSeconds());
  }
  return parts.map((part) => String(part).padStart(2, "0")).join(":");
}

export function modeLabel(mode) {
  return mode === "checkout" ? say("checkout") : say("checkin");
}

function statusLabel(status) {
  return settings.statuses[status] || status;
}

function reasonLabel(reason) {
  if (!reason) {
    return "";
  }
  if (/^bad_/.test(reason)) {
    return settings.reasons.unreadable;
  }
  return settings.reasons[reason] || "";
}

export function learnerLabel(scan) {
  if (scan.learnerName) {
    return scan.learnerName;
  }
  return scan.kind === "number" ? say("number", { number: scan.cardNumber }) : say("unknownLearner");
}

/* ---- the last scan ---- */

export function show(name, status, tone, nonce) {
  el("last-name").textContent = name;
  el("last-status").textContent = status;
  el("last-scan").dataset.state = tone;
  lastNonce = nonce || null;
}

/* ---- sound and vibration ---- */

export function unlockAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!audio && Context) {
    audio = new Context();
  }
  if (audio && audio.state === "suspended") {
    audio.resume();
  }
}

export function feedback(good) {
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

/* ---- the state of the page ---- */

export function showRoster(saved) {
  if (saved) {
    el("scanner").dataset.rosterAt = saved.fetchedAt;
  }
  el("roster-state").textContent = saved
    ? say("rosterSaved", { time: clock(saved.fetchedAt, false) })
    : say("rosterMissing");
}

export function askToLogIn() {
  el("login-again").hidden = false;
}

export function loggedIn() {
  el("login-again").hidden = true;
}

export function problem(words) {
  const box = el("sync-problem");
  box.textContent = words || "";
  box.hidden = !words;
}

export function showNetwork(sending) {
  const box = el("network");
  box.dataset.online = navigator.onLine ? "true" : "false";
  box.textContent = say(sending ? "sending" : navigator.onLine ? "online" : "offline");
}

export function markReady() {
  el("scanner").dataset.ready = "true";
}

export function markOfflineReady() {
  el("scanner").dataset.offlineReady = "true";
  el("offline-ready").hidden = false;
}

/* ---- the queue and the list of scans ---- */

function scanItem(scan) {
  const item = document.createElement("li");
  item.className = "scan-item";
  item.dataset.nonce = scan.nonce;
  item.dataset.state = scan.state;
  item.dataset.status = scan.result ? scan.result.status : "waiting";
  const name = document.createElement("span");
  name.className = "scan-name";
  name.textContent = learnerLabel(scan);
  const when = document.createElement("time");
  when.dateTime = scan.scannedAt;
  when.textContent = clock(scan.scannedAt, true);
  const result = document.createElement("span");
  result.className = "scan-result";
  result.textContent = scan.result
    ? [statusLabel(scan.result.status), reasonLabel(scan.result.reason)].filter(Boolean).join(" · ")
    : say("waiting");
  item.append(name, " ", modeLabel(scan.mode), " ", when, " ", result);
  return item;
}

/* scans: this session's, newest first; waitingHere/waitingElsewhere: this staff
   member's scans not yet sent, for this session and for others. */
export function showQueue(scans, waitingHere, waitingElsewhere) {
  const badge = el("queue-count");
  badge.textContent = String(waitingHere);
  badge.dataset.count = String(waitingHere);
  const others = el("other-queues");
  others.hidden = waitingElsewhere === 0;
  others.textContent = say("otherQueues", { n: waitingElsewhere });
  el("scan-list").replaceChildren(...scans.slice(0, SHOWN_SCANS).map(scanItem));
  const last = scans.find((scan) => scan.nonce === lastNonce);
  if (last && last.result) {
    const words = [modeLabel(last.mode), statusLabel(last.result.status), reasonLabel(last.result.reason)];
    show(last.learnerName || el("last-name").textContent, words.filter(Boolean).join(" · "),
      last.result.status, last.nonce);
  }
}

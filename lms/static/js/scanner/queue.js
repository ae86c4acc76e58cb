/* Taking a scan: the card (its QR text from the camera, or its typed number) is looked
   up in the kept roster, refused at once when this device already has it in this mode,
   and otherwise queued in IndexedDB with a nonce, the device's time and the mode. Scans
   are taken one at a time, in the order they came. */
import { learnerById, learnerOfCardKey, learnerOfNumber } from "./roster.js";
import { settings } from "./settings.js";
import * as store from "./store.js";
import { feedback, modeLabel, say, show, showQueue } from "./view.js";

let mode = "checkin";
let scans = [];  // this session's scans on the device, newest first
let takes = Promise.resolve();

export function setMode(value) {
  mode = value;
}

async function cardKey(payload) {
  if (!window.crypto || !crypto.subtle) {
    return null;
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(payload));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0"))
    .join("").slice(0, 24);
}

/* The card's QR text as the server writes it, or null when it is no learning card. */
function cardPayload(read) {
  const value = (read || "").trim();
  const match = /^KQCARD:(\d{1,3}):([0-9A-Fa-f]{32})$/.exec(value);
  if (match) {
    return `KQCARD:${match[1]}:${match[2].toUpperCase()}`;
  }
  return value.startsWith("KQCARD:") && value.length <= 200 ? value : null;
}

function newNonce() {
  if (crypto.randomUUID) {
    return crypto.randomUUID();
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}

function sameCard(scan, kind, value, learnerId) {
  if (learnerId !== null && scan.learnerId === learnerId) {
    return true;
  }
  return scan.kind === kind && (kind === "card" ? scan.payload === value : scan.cardNumber === value);
}

/* What the device knows of this card in this mode: "queued", "done" or null. */
function knownState(kind, value, learnerId, scanMode) {
  for (const scan of scans) {
    if (scan.mode !== scanMode || !sameCard(scan, kind, value, learnerId)) {
      continue;
    }
    if (scan.state === "waiting") {
      return "queued";
    }
    if (scan.result && (scan.result.status === "recorded" || scan.result.status === "duplicate")) {
      return "done";
    }
  }
  const learner = learnerId !== null ? learnerById(learnerId) : null;
  if (learner && (scanMode === "checkin" ? learner.checked_in : learner.checked_out)) {
    return "done";
  }
  return null;
}

/* Queue one scan; true when it was queued, false when the device already had it. */
async function take(kind, value) {
  const scanMode = mode;
  const learner = kind === "card" ? learnerOfCardKey(await cardKey(value)) : learnerOfNumber(value);
  const learnerId = learner ? learner.id : null;
  const name = learner ? learner.name
    : kind === "number" ? say("number", { number: value }) : say("unknownLearner");
  const known = knownState(kind, value, learnerId, scanMode);
  if (known === "queued") {
    show(name, `${modeLabel(scanMode)} · ${say("alreadyQueued")}`, "repeat");
    feedback(false);
    return false;
  }
  if (known === "done") {
    show(name, say(scanMode === "checkout" ? "alreadyOut" : "alreadyIn"), "repeat");
    feedback(false);
    return false;
  }
  const scan = {
    nonce: newNonce(),
    sessionId: settings.sessionId,
    staffId: settings.staffId,
    kind,
    payload: kind === "card" ? value : null,
    cardNumber: kind === "number" ? value : null,
    mode: scanMode,
    scannedAt: new Date().toISOString(),
    state: "waiting",
    learnerId,
    learnerName: learner ? learner.name : null,
  };
  await store.addScan(scan);
  let hint = say(learner ? "onRoster" : "notOnRoster");
  if (learner && scanMode === "checkout" && knownState(kind, value, learnerId, "checkin") === null) {
    hint = say("notIn");
  }
  show(name, [modeLabel(scanMode), say("waiting"), hint].join(" · "), "waiting", scan.nonce);
  feedback(true);
  await refreshList();
  return true;
}

/* Take a scan after those before it; resolves true when it was queued. */
export function enqueueTake(kind, value) {
  const taken = takes.then(() => take(kind, value));
  takes = taken.catch(() => false);
  return takes;
}

/* What the camera read: a learning card is taken, anything else is refused. */
export function takeRead(read) {
  const payload = cardPayload(read);
  if (!payload) {
    show(say("notACard"), "", "refused");
    feedback(false);
    return Promise.resolve(false);
  }
  return enqueueTake("card", payload);
}

/* This staff member's scans waiting to be sent, of every session. */
export async function myWaitingScans() {
  return (await store.waitingScans()).filter((scan) => scan.staffId === settings.staffId);
}

export async function refreshList() {
  scans = await store.sessionScans(settings.sessionId);
  const mine = await myWaitingScans();
  const here = mine.filter((scan) => scan.sessionId === settings.sessionId).length;
  showQueue(scans, here, mine.length - here);
}

/* The scanner's store on the device (IndexedDB "kq-scanner"):

   scans    one record per scan, key "nonce" (made on the device): sessionId, staffId,
            kind ("card": payload from the camera; "number": a typed cardNumber), mode,
            scannedAt (the device's ISO time), learnerId/learnerName as the cached roster
            knew them, state "waiting" until the server has answered it, then "answered"
            with the server's result. Answered scans are kept two days for the list.
   rosters  the last roster fetched for a class session, key "sessionId".

   A scan leaves "waiting" only through answer(), and only once: a second answer for the
   same nonce (two tabs sending at once) does not overwrite the first. */

const NAME = "kq-scanner";
const VERSION = 1;
const KEEP_ANSWERED_MS = 2 * 24 * 3600 * 1000;
let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        const scans = db.createObjectStore("scans", { keyPath: "nonce" });
        scans.createIndex("by_state", "state");
        scans.createIndex("by_session", "sessionId");
        db.createObjectStore("rosters", { keyPath: "sessionId" });
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        db.onclose = () => {  // the site's data was cleared (a log-out in another tab)
          opening = null;
        };
        resolve(db);
      };
      request.onerror = () => {
        opening = null;
        reject(request.error);
      };
    });
  }
  return opening;
}

/* Run body(store, out) in one transaction; resolves with out.value once committed. */
async function run(storeName, mode, body) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const out = { value: undefined };
    transaction.oncomplete = () => resolve(out.value);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
    body(transaction.objectStore(storeName), out);
  });
}

export function addScan(scan) {
  return run("scans", "readwrite", (store) => {
    store.add(scan);
  });
}

export function waitingScans() {
  return run("scans", "readonly", (store, out) => {
    store.index("by_state").getAll("waiting").onsuccess = (event) => {
      out.value = event.target.result;
    };
  });
}

/* The scans of one class session, newest first. */
export function sessionScans(sessionId) {
  return run("scans", "readonly", (store, out) => {
    store.index("by_session").getAll(sessionId).onsuccess = (event) => {
      out.value = event.target.result.sort((a, b) =>
        a.scannedAt < b.scannedAt ? 1 : a.scannedAt > b.scannedAt ? -1 : 0);
    };
  });
}

/* The server's answer for one nonce; false when it was answered already. */
export function answer(nonce, result) {
  return run("scans", "readwrite", (store, out) => {
    out.value = false;
    store.get(nonce).onsuccess = (event) => {
      const scan = event.target.result;
      if (!scan || scan.state !== "waiting") {
        return;
      }
      scan.state = "answered";
      scan.result = result;
      scan.answeredAt = new Date().toISOString();
      if (result.learner) {
        scan.learnerId = result.learner.id;
        scan.learnerName = result.learner.name;
      }
      store.put(scan);
      out.value = true;
    };
  });
}

export function forgetOldAnswers() {
  const before = new Date(Date.now() - KEEP_ANSWERED_MS).toISOString();
  return run("scans", "readwrite", (store) => {
    store.index("by_state").openCursor("answered").onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) {
        return;
      }
      if (cursor.value.answeredAt < before) {
        cursor.delete();
      }
      cursor.continue();
    };
  });
}

export function saveRoster(sessionId, roster) {
  return run("rosters", "readwrite", (store) => {
    store.put({ sessionId, fetchedAt: new Date().toISOString(), roster });
  });
}

export function loadRoster(sessionId) {
  return run("rosters", "readonly", (store, out) => {
    store.get(sessionId).onsuccess = (event) => {
      out.value = event.target.result || null;
    };
  });
}

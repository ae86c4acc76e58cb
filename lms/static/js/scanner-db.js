/* The staff scanner's store on the device (IndexedDB "kq-scanner"):

   scans    one record per scan, key "nonce" (made on the device): sessionId, staffId,
            kind ("card": payload from the camera; "number": a typed cardNumber), mode,
            scannedAt (the device's ISO time), learnerId/learnerName as the cached roster
            knew them, state "waiting" until the server has answered it, then "answered"
            with the server's result. Answered scans are kept two days for the list.
   rosters  the last roster fetched for a class session, key "sessionId".

   A scan leaves "waiting" only through answer(), and only once: a second answer for the
   same nonce (two tabs sending at once) does not overwrite the first. */
(function () {
  "use strict";

  var NAME = "kq-scanner";
  var VERSION = 1;
  var KEEP_ANSWERED_MS = 2 * 24 * 3600 * 1000;
  var opening = null;

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open(NAME, VERSION);
        request.onupgradeneeded = function () {
          var db = request.result;
          var scans = db.createObjectStore("scans", { keyPath: "nonce" });
          scans.createIndex("by_state", "state");
          scans.createIndex("by_session", "sessionId");
          db.createObjectStore("rosters", { keyPath: "sessionId" });
        };
        request.onsuccess = function () {
          var db = request.result;
          db.onversionchange = function () {
            db.close();
            opening = null;
          };
          resolve(db);
        };
        request.onerror = function () {
          opening = null;
          reject(request.error);
        };
      });
    }
    return opening;
  }

  /* Run body(store, out) in one transaction; resolves with out.value once committed. */
  function run(storeName, mode, body) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(storeName, mode);
        var out = { value: undefined };
        transaction.oncomplete = function () { resolve(out.value); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
        body(transaction.objectStore(storeName), out);
      });
    });
  }

  function addScan(scan) {
    return run("scans", "readwrite", function (store) {
      store.add(scan);
    });
  }

  function waitingScans() {
    return run("scans", "readonly", function (store, out) {
      store.index("by_state").getAll("waiting").onsuccess = function (event) {
        out.value = event.target.result;
      };
    });
  }

  function sessionScans(sessionId) {
    return run("scans", "readonly", function (store, out) {
      store.index("by_session").getAll(sessionId).onsuccess = function (event) {
        out.value = event.target.result.sort(function (a, b) {
          return a.scannedAt < b.scannedAt ? 1 : a.scannedAt > b.scannedAt ? -1 : 0;
        });
      };
    });
  }

  /* The server's answer for one nonce; false when it was answered already. */
  function answer(nonce, result) {
    return run("scans", "readwrite", function (store, out) {
      out.value = false;
      store.get(nonce).onsuccess = function (event) {
        var scan = event.target.result;
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

  function forgetOldAnswers() {
    var before = new Date(Date.now() - KEEP_ANSWERED_MS).toISOString();
    return run("scans", "readwrite", function (store) {
      store.index("by_state").openCursor("answered").onsuccess = function (event) {
        var cursor = event.target.result;
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

  function saveRoster(sessionId, roster) {
    return run("rosters", "readwrite", function (store) {
      store.put({ sessionId: sessionId, fetchedAt: new Date().toISOString(), roster: roster });
    });
  }

  function loadRoster(sessionId) {
    return run("rosters", "readonly", function (store, out) {
      store.get(sessionId).onsuccess = function (event) {
        out.value = event.target.result || null;
      };
    });
  }

  window.ScannerStore = {
    addScan: addScan,
    waitingScans: waitingScans,
    sessionScans: sessionScans,
    answer: answer,
    forgetOldAnswers: forgetOldAnswers,
    saveRoster: saveRoster,
    loadRoster: loadRoster
  };
})();

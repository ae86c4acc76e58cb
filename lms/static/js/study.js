// Study time for the lesson player: opens a play session, then reports what was
// played every heartbeat_interval seconds, on pause and when the page is hidden
// (fetch with keepalive: sendBeacon cannot carry the CSRF header). The server decides
// what counts; this script only reports honestly and explains refusals.
(function () {
  "use strict";
  var configElement = document.getElementById("study-config");
  var player = window.lmsPlayer;
  if (!configElement || !player) return;
  var config = JSON.parse(configElement.textContent);
  var video = player.video;
  var root = document.getElementById("player");
  var status = document.getElementById("player-status");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var session = null;
  var seq = 0;
  var segments = [];
  var current = null; // the segment being played: [from, to]
  var lastTime = null;
  var stopped = false;
  var timer = null;
  var lastInteraction = Date.now();
  var idlePrompt = null;

  function text(key) { return config.messages[key] || ""; }
  function show(message) { if (status) status.textContent = message; }

  function post(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
  }

  function closeSegment() {
    if (current && current[1] > current[0]) segments.push([current[0], current[1]]);
    current = null;
  }

  video.addEventListener("timeupdate", function () {
    var now = video.currentTime;
    if (!video.paused && lastTime !== null && now >= lastTime && now - lastTime < 3) {
      if (!current) current = [lastTime, now];
      else current[1] = now;
    } else {
      closeSegment();
    }
    lastTime = now;
  });
  video.addEventListener("seeking", function () {
    closeSegment();
    lastTime = null;
    if (session && session.forbid_skip && video.currentTime > furthest() + 2) {
      video.currentTime = furthest();
    }
  });

  function furthest() {
    var end = session ? session.furthest_position : 0;
    segments.concat(current ? [current] : []).forEach(function (s) { end = Math.max(end, s[1]); });
    return end;
  }

  function showProgress(result) {
    var percent = Math.round(result.progress * 100);
    show(result.completed ? text("msgCompleted") + " (" + percent + "%)"
                          : text("msgProgress") + " " + percent + "%");
    root.dataset.progress = String(result.progress);
    root.dataset.credited = String(result.lesson_credited_seconds);
  }

  function beat(keepalive) {
    if (!session || stopped) return Promise.resolve();
    closeSegment();
    var played = segments;
    segments = [];
    if (!video.paused && lastTime !== null) current = [video.currentTime, video.currentTime];
    seq += 1;
    var body = {
      seq: seq,
      position: video.currentTime || 0,
      segments: played.slice(0, 50),
      rate: video.playbackRate || 1,
      visible: document.visibilityState === "visible" || !!keepalive,
    };
    var url = config.heartbeats.replace("{id}", session.play_session_id);
    return post(url, body, keepalive).then(function (response) {
      if (response.status === 409) {
        stopped = true;
        video.pause();
        show(text("msgSuperseded"));
        return;
      }
      if (response.status === 401) { show(text("msgLoggedOut")); return; }
      if (response.status >= 500) {  // not recorded: send what was played with the next beat
        segments = played.concat(segments).slice(-50);
        return;
      }
      if (response.ok) return response.json().then(showProgress);
    }).catch(function () {
      // Offline: keep what was played and send it with the next beat.
      segments = played.concat(segments).slice(-50);
    });
  }

  function askIfStillThere() {
    if (idlePrompt || video.paused) return;
    idlePrompt = document.createElement("div");
    idlePrompt.className = "idle-prompt";
    idlePrompt.setAttribute("role", "alertdialog");
    idlePrompt.innerHTML = "<p></p><button type='button' class='button primary'></button>";
    idlePrompt.querySelector("p").textContent = text("msgStillThere");
    var button = idlePrompt.querySelector("button");
    button.textContent = text("msgContinue");
    document.body.appendChild(idlePrompt);
    button.focus();
    var pauseTimer = setTimeout(function () { video.pause(); }, 60000);
    button.addEventListener("click", function () {
      clearTimeout(pauseTimer);
      idlePrompt.remove();
      idlePrompt = null;
      lastInteraction = Date.now();
      if (video.paused) video.play();
    });
  }

  ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () { lastInteraction = Date.now(); }, true);
  });

  function tick() {
    if (!video.paused) beat(false);
    if (!video.paused && Date.now() - lastInteraction > config.idleMinutes * 60000) {
      askIfStillThere();
    }
  }

  post(config.playSessions, {}).then(function (response) {
    if (!response.ok) return null;
    return response.json();
  }).then(function (opened) {
    if (!opened) return;
    session = opened;
    config.idleMinutes = opened.idle_minutes;
    showProgress(opened);
    var resume = function () {
      if (opened.resume_position > 0) video.currentTime = opened.resume_position;
    };
    if (video.readyState >= 1) resume();
    else video.addEventListener("loadedmetadata", resume, { once: true });
    timer = setInterval(tick, opened.heartbeat_interval * 1000);
  });

  video.addEventListener("pause", function () { beat(false); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      beat(true);
      video.pause();
    }
  });
  window.addEventListener("pagehide", function () { beat(true); });
  window.lmsStudy = { beat: beat, session: function () { return session; } };
})();

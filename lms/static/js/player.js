// The lesson player: hls.js where Media Source Extensions exist, the browser's own HLS
// (Safari) otherwise. Speed is capped at 2x; "save data" starts and stays on the lowest
// rung; "sound only" plays the audio rung. Signed links expire: on a network error the
// player fetches a fresh playlist and continues where it was.
(function () {
  "use strict";
  var root = document.getElementById("player");
  if (!root) return;
  var video = document.getElementById("video");
  var message = document.getElementById("player-message");
  var speed = document.getElementById("speed");
  var quality = document.getElementById("quality");
  var captionsToggle = document.getElementById("captions-toggle");
  var playlistUrl = root.dataset.playlist;
  var MAX_RATE = 2;
  var QUALITY_KEY = "lms.quality";
  var hls = null;
  var reloads = [];

  function say(text) { if (message) message.textContent = text || ""; }

  function lowestVideoLevel() {
    var best = -1;
    hls.levels.forEach(function (level, index) {
      if (level.height && (best < 0 || level.height < hls.levels[best].height)) best = index;
    });
    return best;
  }

  function applyQuality() {
    if (!hls) return;
    if (quality.value === "low") {
      var lowest = lowestVideoLevel();
      hls.autoLevelCapping = lowest;
      hls.currentLevel = lowest;
    } else if (quality.value === "auto") {
      hls.autoLevelCapping = -1;
      hls.currentLevel = -1;
    }
  }

  // hls.js leaves audio-only variants out when video ones exist, so "sound only"
  // loads the audio rung's own playlist, found in the master playlist.
  function audioOnlyUrl(masterText) {
    var lines = masterText.split(/\r?\n/);
    for (var i = 0; i < lines.length - 1; i++) {
      if (lines[i].indexOf("#EXT-X-STREAM-INF") === 0 && lines[i].indexOf("avc1") < 0) {
        return new URL(lines[i + 1].trim(), new URL(playlistUrl, location.href)).href;
      }
    }
    return null;
  }

  function load(startAt, resume) {
    var source = Promise.resolve(playlistUrl);
    if (quality.value === "audio") {
      source = fetch(playlistUrl, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (text) { return audioOnlyUrl(text) || playlistUrl; });
    }
    return source.then(function (url) {
      if (hls) {
        hls.once(Hls.Events.MANIFEST_PARSED, function () {
          applyQuality();
          hls.startLoad(startAt || 0);
          if (startAt) video.currentTime = startAt;
          if (resume) video.play().catch(function () {});
        });
        hls.loadSource(url);
      } else {
        video.src = url;
        if (startAt) video.addEventListener("loadedmetadata", function once() {
          video.removeEventListener("loadedmetadata", once);
          video.currentTime = startAt;
          if (resume) video.play().catch(function () {});
        });
      }
    });
  }

  function reloadAtPosition() {
    var now = Date.now();
    reloads = reloads.filter(function (at) { return now - at < 60000; });
    if (reloads.length >= 3) {
      say(root.dataset.networkMessage);
      return;
    }
    reloads.push(now);
    load(video.currentTime, !video.paused);
  }

  if (window.Hls && Hls.isSupported()) {
    var low = localStorage.getItem(QUALITY_KEY) === "low";
    hls = new Hls({ capLevelToPlayerSize: true, startLevel: low ? 0 : -1 });
    hls.attachMedia(video);
    hls.on(Hls.Events.ERROR, function (event, data) {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) reloadAtPosition();
      else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
    });
  } else if (!video.canPlayType("application/vnd.apple.mpegurl")) {
    say(root.dataset.unsupportedMessage);
    return;
  } else {
    video.addEventListener("error", reloadAtPosition);
  }

  var saved = localStorage.getItem(QUALITY_KEY);
  if (saved && quality.querySelector('option[value="' + saved + '"]')) quality.value = saved;
  load(0, false);

  speed.addEventListener("change", function () {
    video.playbackRate = Math.min(parseFloat(speed.value) || 1, MAX_RATE);
  });
  video.addEventListener("ratechange", function () {
    if (video.playbackRate > MAX_RATE) video.playbackRate = MAX_RATE;
  });
  quality.addEventListener("change", function () {
    var wasAudio = hls && hls.url && hls.url !== playlistUrl;
    localStorage.setItem(QUALITY_KEY, quality.value);
    if (quality.value === "audio" || wasAudio || !hls) load(video.currentTime, !video.paused);
    else applyQuality();
  });
  if (captionsToggle) {
    captionsToggle.addEventListener("click", function () {
      var track = video.textTracks[0];
      if (!track) return;
      var on = track.mode !== "showing";
      track.mode = on ? "showing" : "hidden";
      captionsToggle.setAttribute("aria-pressed", on ? "true" : "false");
    });
    video.addEventListener("loadedmetadata", function () {
      if (video.textTracks[0]) video.textTracks[0].mode = "showing";
    });
  }
  window.lmsPlayer = { video: video, hls: function () { return hls; }, reload: reloadAtPosition };
})();

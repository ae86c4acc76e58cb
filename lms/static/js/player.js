/* The lesson player: hls.js (a classic script, window.Hls) where Media Source Extensions
   exist, the browser's own HLS (Safari) otherwise. Speed is capped at 2x; "save data"
   starts and stays on the lowest rung; "sound only" plays the audio rung. Signed links
   expire: on a network error the player fetches a fresh playlist and continues where it
   was. Settings come from the page's JSON block (pageConfig("player")).

   Exports the player for extensions (study.js): {video, hls(), reload()}, also kept as
   window.lmsPlayer for the browser tests; null when the video cannot play here. */
import { pageConfig } from "./page.js";

const MAX_RATE = 2;
const QUALITY_KEY = "lms.quality";

/* hls.js leaves audio-only variants out when video ones exist, so "sound only" loads the
   audio rung's own playlist, found in the master playlist. */
function audioOnlyUrl(masterText, playlistUrl) {
  const lines = masterText.split(/\r?\n/);
  for (let i = 0; i < lines.length - 1; i++) {
    if (lines[i].startsWith("#EXT-X-STREAM-INF") && !lines[i].includes("avc1")) {
      return new URL(lines[i + 1].trim(), new URL(playlistUrl, location.href)).href;
    }
  }
  return null;
}

function startPlayer(config) {
  const video = document.getElementById("video");
  const message = document.getElementById("player-message");
  const speed = document.getElementById("speed");
  const quality = document.getElementById("quality");
  const captionsToggle = document.getElementById("captions-toggle");
  const playlistUrl = config.playlist;
  let hls = null;
  let reloads = [];

  function say(text) {
    if (message) {
      message.textContent = text || "";
    }
  }

  function lowestVideoLevel() {
    let best = -1;
    hls.levels.forEach((level, index) => {
      if (level.height && (best < 0 || level.height < hls.levels[best].height)) {
        best = index;
      }
    });
    return best;
  }

  function applyQuality() {
    if (!hls) {
      return;
    }
    if (quality.value === "low") {
      const lowest = lowestVideoLevel();
      hls.autoLevelCapping = lowest;
      hls.currentLevel = lowest;
    } else if (quality.value === "auto") {
      hls.autoLevelCapping = -1;
      hls.currentLevel = -1;
    }
  }

  async function sourceUrl() {
    if (quality.value !== "audio") {
      return playlistUrl;
    }
    const response = await fetch(playlistUrl, { credentials: "same-origin" });
    return audioOnlyUrl(await response.text(), playlistUrl) || playlistUrl;
  }

  async function load(startAt, resume) {
    const url = await sourceUrl();
    if (hls) {
      hls.once(Hls.Events.MANIFEST_PARSED, () => {
        applyQuality();
        hls.startLoad(startAt || 0);
        if (startAt) {
          video.currentTime = startAt;
        }
        if (resume) {
          video.play().catch(() => {});
        }
      });
      hls.loadSource(url);
    } else {
      video.src = url;
      if (startAt) {
        video.addEventListener("loadedmetadata", () => {
          video.currentTime = startAt;
          if (resume) {
            video.play().catch(() => {});
          }
        }, { once: true });
      }
    }
  }

  function reloadAtPosition() {
    const now = Date.now();
    reloads = reloads.filter((at) => now - at < 60000);
    if (reloads.length >= 3) {
      say(config.messages.network);
      return;
    }
    reloads.push(now);
    load(video.currentTime, !video.paused);
  }

  if (window.Hls && Hls.isSupported()) {
    const low = localStorage.getItem(QUALITY_KEY) === "low";
    hls = new Hls({ capLevelToPlayerSize: true, startLevel: low ? 0 : -1 });
    hls.attachMedia(video);
    hls.on(Hls.Events.ERROR, (event, data) => {
      if (!data.fatal) {
        return;
      }
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        reloadAtPosition();
      } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
      }
    });
  } else if (!video.canPlayType("application/vnd.apple.mpegurl")) {
    say(config.messages.unsupported);
    return null;
  } else {
    video.addEventListener("error", reloadAtPosition);
  }

  const saved = localStorage.getItem(QUALITY_KEY);
  if (saved && quality.querySelector(`option[value="${saved}"]`)) {
    quality.value = saved;
  }
  load(0, false);

  speed.addEventListener("change", () => {
    video.playbackRate = Math.min(parseFloat(speed.value) || 1, MAX_RATE);
  });
  video.addEventListener("ratechange", () => {
    if (video.playbackRate > MAX_RATE) {
      video.playbackRate = MAX_RATE;
    }
  });
  quality.addEventListener("change", () => {
    const wasAudio = hls && hls.url && hls.url !== playlistUrl;
    localStorage.setItem(QUALITY_KEY, quality.value);
    if (quality.value === "audio" || wasAudio || !hls) {
      load(video.currentTime, !video.paused);
    } else {
      applyQuality();
    }
  });
  if (captionsToggle) {
    captionsToggle.addEventListener("click", () => {
      const track = video.textTracks[0];
      if (!track) {
        return;
      }
      const on = track.mode !== "showing";
      track.mode = on ? "showing" : "hidden";
      captionsToggle.setAttribute("aria-pressed", on ? "true" : "false");
    });
    video.addEventListener("loadedmetadata", () => {
      if (video.textTracks[0]) {
        video.textTracks[0].mode = "showing";
      }
    });
  }
  return { video, hls: () => hls, reload: reloadAtPosition };
}

const config = pageConfig("player");
export const player = config && document.getElementById("player") ? startPlayer(config) : null;
if (player) {
  window.lmsPlayer = player;
}

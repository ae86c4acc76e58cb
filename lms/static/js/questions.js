/* Questions on lessons (a player extension registered by community): a question's time
   link (data-seek, in seconds) plays the lesson's video from that moment, and "ask about
   the current moment" sends the video's current time with a new question. Without this
   script the questions still read and post; only seeking and pinning need it.

   window.lmsQuestions = {seek} is there for the browser tests. */
import { pageConfig } from "./page.js";

function startQuestions(config) {
  const video = document.getElementById("video");

  function seek(seconds) {
    if (!video || !Number.isFinite(seconds) || seconds < 0) {
      return false;
    }
    const go = () => {
      video.currentTime = seconds;
      const playing = video.play();
      if (playing && playing.catch) {
        playing.catch(() => {});  // a refused play() leaves the video paused at the moment
      }
    };
    if (video.readyState >= 1) {
      go();
    } else {
      video.addEventListener("loadedmetadata", go, { once: true });
    }
    video.scrollIntoView({ block: "center" });
    video.focus({ preventScroll: true });
    return true;
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-seek]");
    if (link && seek(Number.parseFloat(link.dataset.seek))) {
      event.preventDefault();
    }
  });

  const form = document.getElementById("ask-form");
  const pin = form && form.querySelector('input[name="pin_time"]');
  const position = document.getElementById("ask-position");
  if (form && pin && position && video) {
    form.addEventListener("submit", () => {
      position.value = pin.checked && Number.isFinite(video.currentTime)
        ? String(Math.floor(video.currentTime * 10) / 10)
        : "";
    });
  }
  return { seek };
}

const config = pageConfig("questions");
if (config) {
  window.lmsQuestions = startQuestions(config);
}

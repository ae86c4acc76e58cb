/* Lesson video upload with tus (a classic script, window.tus): chunks, and after a
   dropped connection, a reload or a closed lid, it resumes from the server's offset
   (tus-js-client keeps the upload URL in localStorage). Then it follows the transcoding
   until the video is ready. Settings come from pageConfig("upload"). */
import { csrfToken } from "./csrf.js";
import { pageConfig } from "./page.js";

const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000];
const FOLLOW_EVERY_MS = 2000;
const FOLLOW_AFTER_ERROR_MS = 5000;
const SPEED_WINDOW_MS = 5000; // the speed shown is the average over the last seconds

/* Speed and time remaining from (time, bytes sent) samples of the last few seconds. */
function rateMeter() {
  let samples = [];
  return (sent, total) => {
    const now = performance.now();
    samples.push([now, sent]);
    samples = samples.filter(([at], index) => index === samples.length - 1 || now - at <= SPEED_WINDOW_MS);
    const [firstAt, firstSent] = samples[0];
    if (now - firstAt < 500 || sent <= firstSent) {
      return null;
    }
    const bytesPerSecond = ((sent - firstSent) * 1000) / (now - firstAt);
    return { bytesPerSecond, secondsLeft: (total - sent) / bytesPerSecond };
  };
}

function formatRate(template, rate) {
  const seconds = Math.max(0, Math.round(rate.secondsLeft));
  return template
    .replace("{speed}", (rate.bytesPerSecond / 1048576).toFixed(1))
    .replace("{minutes}", String(Math.floor(seconds / 60)))
    .replace("{seconds}", String(seconds % 60));
}

function startUpload(config) {
  const box = document.getElementById("video-upload");
  const input = document.getElementById("video-file");
  const uploadBar = document.getElementById("upload-progress");
  const processingBar = document.getElementById("processing-progress");
  const message = document.getElementById("upload-message");
  const speed = document.getElementById("upload-speed");
  const text = config.messages;

  function say(words) {
    message.textContent = words;
  }

  async function followProcessing() {
    processingBar.hidden = false;
    let state;
    try {
      const response = await fetch(config.statusUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      state = await response.json();
    } catch (error) {
      setTimeout(followProcessing, FOLLOW_AFTER_ERROR_MS);
      return;
    }
    const video = state.pending || state.current;
    if (!video) {
      setTimeout(followProcessing, FOLLOW_EVERY_MS);
      return;
    }
    if (video.status === "failed") {
      processingBar.hidden = true;
      say(`${text.failed} ${video.failure}`);
      input.value = "";
      return;
    }
    if (video.ready && !state.pending) {
      processingBar.value = 100;
      say(text.ready);
      box.dispatchEvent(new CustomEvent("lms:video-ready"));
      return;
    }
    processingBar.value = video.percent;
    say(`${text.processing} ${Math.round(video.percent)}%`);
    setTimeout(followProcessing, FOLLOW_EVERY_MS);
  }

  // A video still being processed (queued or transcoding): follow it from the start.
  if (config.processing) {
    followProcessing();
  }

  async function uploadChosenFile() {
    const file = input.files[0];
    if (!file) {
      return;
    }
    if (file.size > config.maxBytes) {
      say(text.tooLarge);
      return;
    }
    const measure = rateMeter();
    const upload = new tus.Upload(file, {
      endpoint: config.endpoint,
      chunkSize: config.chunkSize,
      retryDelays: RETRY_DELAYS_MS,
      removeFingerprintOnSuccess: true,
      metadata: { filename: file.name, filetype: file.type, purpose: config.purpose },
      headers: { "X-CSRFToken": csrfToken() },
      onError: (error) => say(String(error)),
      onProgress: (sent, total) => {
        uploadBar.hidden = false;
        uploadBar.value = total ? (sent / total) * 100 : 0;
        say(navigator.onLine ? text.uploading : text.offline);
        const rate = measure(sent, total);
        if (rate) {
          speed.hidden = false;
          speed.textContent = formatRate(text.rate, rate);
        }
      },
      onSuccess: () => {
        uploadBar.value = 100;
        speed.hidden = true;
        followProcessing();
      },
    });
    const previous = await upload.findPreviousUploads();
    if (previous.length) {
      upload.resumeFromPreviousUpload(previous[0]);
    }
    upload.start();
    window.addEventListener("online", () => upload.start());
  }

  input.addEventListener("change", uploadChosenFile);
  // On a slow network the teacher can choose the file before this script has run:
  // its change event has then come and gone, so the file is taken up from here.
  if (input.files.length) {
    uploadChosenFile();
  }
}

const config = pageConfig("upload");
if (config && document.getElementById("video-upload") && window.tus) {
  startUpload(config);
}

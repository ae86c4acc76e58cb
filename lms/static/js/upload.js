/* Lesson video upload with tus (a classic script, window.tus): chunks, and after a
   dropped connection, a reload or a closed lid, it resumes from the server's offset
   (tus-js-client keeps the upload URL in localStorage). Then it follows the transcoding
   until the video is ready. Settings come from pageConfig("upload"). */
import { csrfToken } from "./csrf.js";
import { pageConfig } from "./page.js";

const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000];
const FOLLOW_EVERY_MS = 2000;
const FOLLOW_AFTER_ERROR_MS = 5000;

function startUpload(config) {
  const box = document.getElementById("video-upload");
  const input = document.getElementById("video-file");
  const uploadBar = document.getElementById("upload-progress");
  const processingBar = document.getElementById("processing-progress");
  const message = document.getElementById("upload-message");
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

  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) {
      return;
    }
    if (file.size > config.maxBytes) {
      say(text.tooLarge);
      return;
    }
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
      },
      onSuccess: () => {
        uploadBar.value = 100;
        followProcessing();
      },
    });
    const previous = await upload.findPreviousUploads();
    if (previous.length) {
      upload.resumeFromPreviousUpload(previous[0]);
    }
    upload.start();
    window.addEventListener("online", () => upload.start());
  });
}

const config = pageConfig("upload");
if (config && document.getElementById("video-upload") && window.tus) {
  startUpload(config);
}

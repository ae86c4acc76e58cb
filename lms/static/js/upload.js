// Lesson video upload with tus: chunks, and after a dropped connection, a reload or a
// closed lid, it resumes from the server's offset (tus-js-client keeps the upload URL
// in localStorage). Then it follows the transcoding until the video is ready.
(function () {
  "use strict";
  var box = document.getElementById("video-upload");
  if (!box || !window.tus) return;
  var input = document.getElementById("video-file");
  var uploadBar = document.getElementById("upload-progress");
  var processingBar = document.getElementById("processing-progress");
  var message = document.getElementById("upload-message");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var data = box.dataset;

  function say(text) { message.textContent = text; }

  function followProcessing() {
    processingBar.hidden = false;
    fetch(data.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        var video = state.pending || state.current;
        if (!video) return setTimeout(followProcessing, 2000);
        if (video.status === "failed") {
          processingBar.hidden = true;
          say(data.msgFailed + " " + video.failure);
          input.value = "";
          return;
        }
        if (video.ready && !state.pending) {
          processingBar.value = 100;
          say(data.msgReady);
          box.dispatchEvent(new CustomEvent("lms:video-ready"));
          return;
        }
        processingBar.value = video.percent;
        say(data.msgProcessing + " " + Math.round(video.percent) + "%");
        setTimeout(followProcessing, 2000);
      })
      .catch(function () { setTimeout(followProcessing, 5000); });
  }

  // A video still being processed (queued or transcoding): follow it from the start.
  if (data.processing === "true") followProcessing();

  input.addEventListener("change", function () {
    var file = input.files[0];
    if (!file) return;
    if (file.size > Number(data.maxBytes)) { say(data.msgTooLarge); return; }
    var upload = new tus.Upload(file, {
      endpoint: data.endpoint,
      chunkSize: Number(data.chunkSize),
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
      removeFingerprintOnSuccess: true,
      metadata: { filename: file.name, filetype: file.type, purpose: data.purpose },
      headers: { "X-CSRFToken": csrf },
      onError: function (error) { say(String(error)); },
      onProgress: function (sent, total) {
        uploadBar.hidden = false;
        uploadBar.value = total ? (sent / total) * 100 : 0;
        say(navigator.onLine ? data.msgUploading : data.msgOffline);
      },
      onSuccess: function () {
        uploadBar.value = 100;
        followProcessing();
      },
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
    window.addEventListener("online", function () { upload.start(); });
  });
})();

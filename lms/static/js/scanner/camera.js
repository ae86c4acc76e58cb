/* The camera: frames drawn on a canvas every FRAME_EVERY_MS and read by jsQR (a
   classic script, window.jsQR). What it reads goes to onRead, a code still in view
   once only. Whether the camera was on is remembered on the device, so the next page
   starts it again. */
import { say, unlockAudio } from "./view.js";

const FRAME_EVERY_MS = 150;
const SAME_CODE_QUIET_MS = 4000;  // a card still in view is read once
const CAMERA_WANTED = "kq-scanner-camera";

const video = document.getElementById("camera");
const toggle = document.getElementById("camera-toggle");
const frame = document.createElement("canvas");
const seen = new Map();  // code → when it was last read
let stream = null;
let timer = null;
let onRead = () => {};

function showState(words) {
  document.getElementById("camera-state").textContent = words;
}

function remember(on) {
  try {
    localStorage.setItem(CAMERA_WANTED, on ? "on" : "off");
  } catch (error) {
    // private mode: not remembered
  }
}

export function cameraWanted() {
  try {
    return localStorage.getItem(CAMERA_WANTED) === "on";
  } catch (error) {
    return false;
  }
}

export async function startCamera() {
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia ||
      typeof window.jsQR !== "function") {
    showState(say("cameraMissing"));
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (error) {
    showState(say("cameraFailed"));
    remember(false);
    return;
  }
  video.srcObject = stream;
  video.hidden = false;
  try {
    await video.play();
  } catch (error) {
    // muted inline video plays; a refusal still leaves frames to read
  }
  toggle.textContent = say("stopCamera");
  toggle.dataset.on = "true";
  showState(say("cameraOn"));
  remember(true);
  timer = setTimeout(readFrame, FRAME_EVERY_MS);
}

function stopCamera() {
  clearTimeout(timer);
  if (stream) {
    stream.getTracks().forEach((track) => track.stop());
  }
  stream = null;
  video.srcObject = null;
  video.hidden = true;
  toggle.textContent = say("startCamera");
  toggle.dataset.on = "false";
  showState(say("cameraOff"));
  remember(false);
}

function readFrame() {
  if (!stream) {
    return;
  }
  if (video.readyState >= 2 && video.videoWidth) {
    const scale = Math.min(1, 800 / video.videoWidth);
    const width = Math.round(video.videoWidth * scale);
    const height = Math.round(video.videoHeight * scale);
    frame.width = width;
    frame.height = height;
    const context = frame.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    const found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height,
      { inversionAttempts: "attemptBoth" });
    if (found && found.data) {
      decoded(found.data);
    }
  }
  timer = setTimeout(readFrame, FRAME_EVERY_MS);
}

function decoded(read) {
  const now = Date.now();
  const last = seen.get(read);
  seen.set(read, now);
  for (const [code, when] of seen) {
    if (now - when > 10 * SAME_CODE_QUIET_MS) {
      seen.delete(code);
    }
  }
  if (last && now - last < SAME_CODE_QUIET_MS) {
    return;
  }
  onRead(read);
}

/* The toggle button starts and stops the camera; what it reads goes to readCallback. */
export function setUpCamera(readCallback) {
  onRead = readCallback;
  if (!window.isSecureContext) {
    toggle.disabled = true;
  }
  toggle.addEventListener("click", () => {
    unlockAudio();
    if (stream) {
      stopCamera();
    } else {
      startCamera();
    }
  });
}

/* In-video checkpoints (a player extension registered by assessment): when playback
   reaches a checkpoint the learner has not answered, the video pauses and its question
   shows over the video; the answer goes to POST /api/v1/checkpoints/<id>/answers, the
   page shows right/wrong and the explanation, and "continue" plays on. The server keeps
   one answer per checkpoint, so a replay (or a reload: the page only lists unanswered
   checkpoints) does not ask again. Settings come from pageConfig("checkpoints")
   (lms/assessment/player.py).

   window.lmsCheckpoints = {pending()} is there for the browser tests. */
import { csrfToken } from "../csrf.js";
import { fillUrl, pageConfig } from "../page.js";
import { player } from "../player.js";
import { renderFeedback, renderQuestion } from "./checkpoint-question.js";

// A checkpoint is asked when playback passes it, not when a seek lands far beyond it.
const WINDOW_SECONDS = 3;

function startCheckpoints(config, video) {
  const root = document.getElementById("player");
  const messages = config.messages;
  let pending = config.checkpoints.slice().sort((a, b) => a.at - b.at);
  let asking = null;

  const overlay = document.createElement("section");
  overlay.className = "checkpoint-overlay";
  overlay.id = "checkpoint";
  overlay.hidden = true;
  overlay.setAttribute("aria-live", "polite");
  overlay.setAttribute("aria-label", messages.msgCheckpoint);
  const heading = document.createElement("h2");
  heading.textContent = messages.msgCheckpoint;
  const box = document.createElement("div");
  box.className = "checkpoint-question";
  const status = document.createElement("p");
  status.className = "checkpoint-status";
  status.setAttribute("role", "alert");
  const next = document.createElement("button");
  next.type = "button";
  next.className = "button primary checkpoint-continue";
  next.textContent = messages.msgContinue;
  next.hidden = true;
  overlay.append(heading, box, status, next);
  root.append(overlay);

  function finish() {
    overlay.hidden = true;
    root.classList.remove("checkpoint-open");
    asking = null;
    video.play().catch(() => {});
  }

  async function send(checkpoint, answer, controls) {
    status.textContent = "";
    controls.disable();
    let response;
    try {
      response = await fetch(fillUrl(config.answer, { id: checkpoint.id }), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ answer }),
      });
    } catch (error) {
      status.textContent = messages.msgNetwork;
      ask(checkpoint);
      return;
    }
    if (response.status === 201) {
      pending = pending.filter((item) => item.id !== checkpoint.id);
      renderFeedback(box, checkpoint.question, await response.json(), messages);
    } else if (response.status === 409 || response.status === 404) {
      pending = pending.filter((item) => item.id !== checkpoint.id);
      status.textContent = messages.msgAnswered;
    } else if (response.status === 400) {
      status.textContent = messages.msgIncomplete;
      ask(checkpoint);
      return;
    } else {
      status.textContent = response.status === 401 ? messages.msgLoggedOut : messages.msgNetwork;
      ask(checkpoint);
      return;
    }
    next.hidden = false;
    next.focus();
  }

  function ask(checkpoint) {
    asking = checkpoint;
    video.pause();
    if (document.fullscreenElement) {
      document.exitFullscreen().catch(() => {});
    }
    next.hidden = true;
    overlay.hidden = false;
    root.classList.add("checkpoint-open");
    const controls = renderQuestion(box, checkpoint.question, messages, (answer) =>
      send(checkpoint, answer, controls));
  }

  next.addEventListener("click", finish);
  video.addEventListener("timeupdate", () => {
    if (asking || video.seeking) {
      return;
    }
    const now = video.currentTime;
    const due = pending.find((item) => now >= item.at && now < item.at + WINDOW_SECONDS);
    if (due) {
      ask(due);
    }
  });
  video.addEventListener("play", () => {
    if (asking) {
      video.pause();
    }
  });
  return { pending: () => pending.map((item) => item.id), asking: () => asking && asking.id };
}

const config = pageConfig("checkpoints");
if (config && player) {
  window.lmsCheckpoints = startCheckpoints(config, player.video);
}

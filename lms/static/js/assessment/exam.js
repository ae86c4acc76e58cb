/* The exam page: one question per screen, each answer saved as it is given.

   The server owns the attempt: starting (or resuming) returns the questions as shown,
   the answers already saved and the seconds that really remain. Each answer is PUT at
   once; when the network is gone the page says so, keeps the answer in localStorage and
   sends it when the network is back (or after a reload). A 409 means the attempt is
   closed (time is up or it was submitted): the page goes to the result. */

import { csrfToken } from "../csrf.js";
import { fillUrl, format, pageConfig } from "../page.js";

const config = pageConfig("exam");
const root = document.getElementById("exam");
const $ = (id) => document.getElementById(id);
const messages = config ? config.messages : {};

let attempt = null;
let answers = {};
let index = 0;
let deadlineAt = null;
let closed = false;
let submitting = false;
const pendingKey = () => `exam-pending-${attempt.attempt_id}`;

function pending() {
  try {
    return JSON.parse(localStorage.getItem(pendingKey()) || "{}");
  } catch {
    return {};
  }
}

function setPending(values) {
  try {
    localStorage.setItem(pendingKey(), JSON.stringify(values));
  } catch {
    /* private mode: the answers stay in memory */
  }
}

function say(id, text) {
  const element = $(id);
  element.textContent = text || "";
  element.hidden = !text;
}

function showNetwork(online) {
  root.dataset.network = online ? "online" : "offline";
  say("exam-network", online ? "" : messages.offline);
}

async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { status: response.status, data };
}

function goToResult() {
  closed = true;
  window.location.assign(fillUrl(config.review, { attempt: attempt.attempt_id }));
}

async function send(questionId, answer) {
  const url = fillUrl(config.save, { attempt: attempt.attempt_id, question: questionId });
  try {
    const { status, data } = await call("PUT", url, { answer });
    if (status === 200) {
      const left = pending();
      if (JSON.stringify(left[questionId]) === JSON.stringify(answer)) {
        delete left[questionId];
        setPending(left);
      }
      if (data && data.remaining_seconds !== null) {
        setRemaining(data.remaining_seconds);
      }
      // a save answered after the browser went offline must not hide the notice
      if (navigator.onLine) {
        showNetwork(true);
      }
      return true;
    }
    if (status === 409) {
      say("exam-message", messages.closed);
      setPending({});
      goToResult();
    }
    return false;
  } catch {
    showNetwork(false); // the network is gone: kept for later
    return false;
  }
}

async function flushPending() {
  if (!attempt || closed) {
    return;
  }
  for (const [questionId, answer] of Object.entries(pending())) {
    if (!(await send(questionId, answer))) {
      return;
    }
  }
}

function save(questionId, answer) {
  answers[questionId] = answer;
  const left = pending();
  left[questionId] = answer;
  setPending(left);
  renderPalette();
  send(questionId, answer);
}

function setRemaining(seconds) {
  deadlineAt = Date.now() + seconds * 1000;
  tick();
}

function tick() {
  if (deadlineAt === null) {
    return;
  }
  const seconds = Math.max(0, Math.round((deadlineAt - Date.now()) / 1000));
  const timer = $("exam-timer");
  timer.hidden = false;
  timer.dataset.remaining = String(seconds);
  const minutes = Math.floor(seconds / 60);
  timer.textContent = `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
  if (seconds === 0 && !closed) {
    submit();
  }
}

// Read aloud (docs/read-aloud.md): the stem is read first (order 0), then the options
// in the order shown (1…n).
function optionButton(label, pressed, onChoose, readOrder) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "exam-option";
  button.setAttribute("data-read-order", String(readOrder));
  button.textContent = label;
  button.setAttribute("aria-pressed", pressed ? "true" : "false");
  button.addEventListener("click", onChoose);
  return button;
}

function renderChoices(question, box) {
  const chosen = answers[question.id] || [];
  question.options.forEach((option, position) => {
    const letter = String.fromCharCode(65 + position);
    box.append(
      optionButton(`${letter}. ${option.text}`, chosen.includes(option.id), () => {
        let next;
        if (question.type === "single") {
          next = [option.id];
        } else {
          const current = answers[question.id] || [];
          next = current.includes(option.id)
            ? current.filter((id) => id !== option.id)
            : [...current, option.id];
        }
        save(question.id, next);
        renderQuestion();
      }, position + 1),
    );
  });
}

function renderTexts(question, box) {
  const count = question.type === "fill_blank" ? question.blanks : 1;
  const given = answers[question.id];
  const values = question.type === "fill_blank" ? given || Array(count).fill("") : [given || ""];
  for (let blank = 0; blank < count; blank += 1) {
    const label = document.createElement("label");
    const id = `answer-${question.id}-${blank}`;
    label.htmlFor = id;
    label.textContent = question.type === "fill_blank" ? format(messages.blank, { n: blank + 1 }) : "";
    const input = document.createElement(question.type === "fill_blank" ? "input" : "textarea");
    input.id = id;
    input.className = "exam-text";
    input.value = values[blank] || "";
    input.maxLength = question.type === "fill_blank" ? 200 : 5000;
    input.addEventListener("change", () => {
      values[blank] = input.value;
      save(question.id, question.type === "fill_blank" ? [...values] : input.value);
    });
    box.append(label, input);
  }
}

function renderQuestion() {
  const question = attempt.questions[index];
  const box = $("exam-question");
  box.replaceChildren();
  box.dataset.questionId = String(question.id);
  const stem = document.createElement("p");
  stem.className = "exam-stem";
  stem.textContent = question.stem;
  stem.setAttribute("data-read-order", "0");
  box.append(stem);
  if (question.image_url) {
    const image = document.createElement("img");
    image.src = question.image_url;
    image.alt = "";
    image.className = "question-image";
    box.append(image);
  }
  if (question.type === "single" || question.type === "multiple") {
    renderChoices(question, box);
  } else if (question.type === "true_false") {
    [true, false].forEach((value, position) => {
      box.append(
        optionButton(messages[String(value)], answers[question.id] === value, () => {
          save(question.id, value);
          renderQuestion();
        }, position + 1),
      );
    });
  } else {
    renderTexts(question, box);
  }
  $("exam-progress").textContent = format(messages.question, {
    n: index + 1,
    total: attempt.questions.length,
  });
  $("exam-prev").disabled = index === 0;
  $("exam-next").disabled = index === attempt.questions.length - 1;
  renderPalette();
}

function isAnswered(value) {
  if (value === undefined || value === null) {
    return false;
  }
  if (Array.isArray(value)) {
    return value.some((item) => item !== "" && item !== null);
  }
  return value !== "";
}

function renderPalette() {
  let palette = $("exam-palette");
  if (!palette) {
    palette = document.createElement("ol");
    palette.id = "exam-palette";
    palette.className = "exam-palette";
    $("exam-nav").after(palette);
  }
  palette.replaceChildren();
  attempt.questions.forEach((question, position) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = String(position + 1);
    const answered = isAnswered(answers[question.id]);
    button.className = answered ? "answered" : "";
    if (position === index) {
      button.setAttribute("aria-current", "step");
    }
    button.addEventListener("click", () => {
      index = position;
      renderQuestion();
    });
    item.append(button);
    palette.append(item);
  });
  root.dataset.answered = String(
    attempt.questions.filter((question) => isAnswered(answers[question.id])).length,
  );
}

async function submit() {
  if (closed || submitting) {
    return;
  }
  submitting = true;
  await flushPending();
  try {
    const { status } = await call(
      "POST",
      fillUrl(config.submit, { attempt: attempt.attempt_id }),
    );
    if (status === 200) {
      setPending({});
      goToResult();
    }
  } catch {
    showNetwork(false); // the server submits an overdue attempt itself
  } finally {
    submitting = false;
  }
}

function askToSubmit() {
  const unanswered = attempt.questions.filter((q) => !isAnswered(answers[q.id])).length;
  const text = unanswered ? `${format(messages.unanswered, { n: unanswered })} ` : "";
  const button = $("exam-submit");
  if (button.dataset.confirming === "true") {
    submit();
    return;
  }
  button.dataset.confirming = "true";
  say("exam-message", text + messages.confirm);
}

async function start() {
  $("exam-start").disabled = true;
  let result;
  try {
    result = await call("POST", config.start);
  } catch {
    showNetwork(false);
    $("exam-start").disabled = false;
    return;
  }
  if (result.status !== 200 && result.status !== 201) {
    say("exam-message", (result.data && result.data.message) || messages.refused);
    return;
  }
  attempt = result.data;
  answers = { ...attempt.answers, ...pending() };
  $("exam-start").hidden = true;
  $("exam-nav").hidden = false;
  root.dataset.state = "open";
  root.dataset.attemptId = String(attempt.attempt_id);
  if (attempt.remaining_seconds !== null) {
    setRemaining(attempt.remaining_seconds);
    window.setInterval(tick, 1000);
  }
  renderQuestion();
  flushPending();
}

if (config && root) {
  $("exam-start").addEventListener("click", start);
  $("exam-prev").addEventListener("click", () => {
    index = Math.max(0, index - 1);
    renderQuestion();
  });
  $("exam-next").addEventListener("click", () => {
    index = Math.min(attempt.questions.length - 1, index + 1);
    renderQuestion();
  });
  $("exam-submit").addEventListener("click", askToSubmit);
  window.addEventListener("offline", () => showNetwork(false));
  window.addEventListener("online", () => {
    showNetwork(true);
    say("exam-network", messages.online);
    flushPending();
  });
  window.setInterval(flushPending, 15000);
  if (root.dataset.resume === "true") {
    start();
  }
}

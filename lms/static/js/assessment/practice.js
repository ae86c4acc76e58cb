/* Daily practice (每日一练): today's questions, drawn by the server, one at a time; each
   answer goes to POST /api/v1/practice/questions/<id>/answers and its feedback shows at
   once; "next" moves on. Questions answered earlier today are skipped, so a reload
   resumes where the learner was. Settings come from pageConfig("practice")
   (lms/assessment/practice_views.py). */
import { csrfToken } from "../csrf.js";
import { fillUrl, format, pageConfig } from "../page.js";
import { renderFeedback, renderQuestion } from "./checkpoint-question.js";

function startPractice(config) {
  const messages = config.messages;
  const items = config.questions;
  const box = document.getElementById("practice-question");
  const status = document.getElementById("practice-status");
  const next = document.getElementById("practice-next");
  const progress = document.getElementById("practice-progress");
  let index = items.findIndex((item) => !item.feedback);

  function showProgress() {
    const answered = items.filter((item) => item.feedback).length;
    progress.textContent = index < 0
      ? messages.msgDone
      : format(messages.msgProgress, { n: index + 1, total: items.length })
        + ` (${answered}/${items.length})`;
  }

  async function send(item, answer, controls) {
    status.textContent = "";
    controls.disable();
    let response;
    try {
      response = await fetch(fillUrl(config.answer, { id: item.question.id }), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ answer }),
      });
    } catch (error) {
      status.textContent = messages.msgNetwork;
      show();
      return;
    }
    if (response.status === 201) {
      item.feedback = await response.json();
      renderFeedback(box, item.question, item.feedback, messages);
    } else if (response.status === 409) {
      item.feedback = { correct: null };
    } else {
      status.textContent = response.status === 400 ? messages.msgIncomplete
        : response.status === 401 ? messages.msgLoggedOut : messages.msgNetwork;
      show();
      return;
    }
    index = items.findIndex((other) => !other.feedback);
    next.hidden = index < 0;
    if (index < 0) {
      showProgress();
    } else {
      next.focus();
    }
  }

  function show() {
    next.hidden = true;
    showProgress();
    if (index < 0) {
      box.replaceChildren();
      return;
    }
    const item = items[index];
    const controls = renderQuestion(box, item.question, messages, (answer) =>
      send(item, answer, controls));
  }

  next.addEventListener("click", show);
  show();
}

const config = pageConfig("practice");
if (config) {
  startPractice(config);
}

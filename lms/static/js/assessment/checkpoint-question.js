/* One question on screen, answered once, then its feedback: shared by the in-video
   checkpoints (checkpoints.js) and the daily practice page (practice.js).

   The question comes as the server sends it (lms/assessment/presenting.py: id, type,
   stem, options [{id, text}], blanks) with no sign of the right answer; the feedback
   ({correct, right_answer, explanation}) comes back only after the answer. Options are
   whole-width buttons (elder mode makes them >= 60 px high). The stem and then the
   options carry data-read-order (and each option its letter in data-read-label), so
   read-aloud reads the question first and then the options in order. */

const LETTERS = "ABCDEF";

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined && text !== null) {
    node.textContent = text;
  }
  return node;
}

/** Render `question` into `box`; `submit(answer)` is called with the answer in the API's
    shape (option ids, true/false, a list of blank texts). Returns {disable()}. */
export function renderQuestion(box, question, messages, submit) {
  box.replaceChildren();
  const stem = element("p", "question-stem", question.stem);
  stem.setAttribute("data-read-order", "1");
  stem.id = `question-${question.id}-stem`;
  box.append(stem);
  const choices = element("div", "question-choices");
  choices.setAttribute("role", "group");
  choices.setAttribute("aria-labelledby", stem.id);
  box.append(choices);
  const buttons = [];
  let chosen = new Set();

  function choiceButton(label, text, order, onClick) {
    const button = element("button", "button choice");
    button.type = "button";
    if (label) {
      const letter = element("span", "choice-letter", label);
      letter.setAttribute("aria-hidden", "true");
      button.append(letter);
      button.setAttribute("data-read-label", label);
    }
    button.append(element("span", "choice-text", text));
    button.setAttribute("data-read-order", String(order));
    button.addEventListener("click", onClick);
    buttons.push(button);
    choices.append(button);
    return button;
  }

  if (question.type === "single") {
    question.options.forEach((option, index) => {
      choiceButton(LETTERS[index], option.text, index + 2, () => submit([option.id]));
    });
  } else if (question.type === "true_false") {
    choiceButton("", messages.msgTrue, 2, () => submit(true)).dataset.value = "true";
    choiceButton("", messages.msgFalse, 3, () => submit(false)).dataset.value = "false";
  } else if (question.type === "multiple") {
    question.options.forEach((option, index) => {
      const button = choiceButton(LETTERS[index], option.text, index + 2, () => {
        if (chosen.has(option.id)) {
          chosen.delete(option.id);
        } else {
          chosen.add(option.id);
        }
        button.setAttribute("aria-pressed", chosen.has(option.id) ? "true" : "false");
      });
      button.setAttribute("aria-pressed", "false");
    });
    const send = element("button", "button primary question-submit", messages.msgSubmit);
    send.type = "button";
    send.addEventListener("click", () => submit([...chosen]));
    buttons.push(send);
    box.append(send);
  } else if (question.type === "fill_blank") {
    const inputs = [];
    for (let i = 0; i < question.blanks; i++) {
      const label = element("label", "question-blank", `${messages.msgBlank} ${i + 1}`);
      const input = element("input");
      input.type = "text";
      input.autocomplete = "off";
      input.setAttribute("data-read-order", String(i + 2));
      label.append(input);
      choices.append(label);
      inputs.push(input);
      buttons.push(input);
    }
    const send = element("button", "button primary question-submit", messages.msgSubmit);
    send.type = "button";
    send.addEventListener("click", () => submit(inputs.map((input) => input.value)));
    buttons.push(send);
    box.append(send);
  }
  const first = buttons[0];
  if (first) {
    first.focus({ preventScroll: true });
  }
  return {
    disable() {
      buttons.forEach((button) => { button.disabled = true; });
    },
  };
}

function rightAnswerText(question, rightAnswer, messages) {
  if (question.type === "single" || question.type === "multiple") {
    return question.options
      .map((option, index) => (rightAnswer.includes(option.id) ? `${LETTERS[index]}. ${option.text}` : null))
      .filter(Boolean)
      .join("；");
  }
  if (question.type === "true_false") {
    return rightAnswer ? messages.msgTrue : messages.msgFalse;
  }
  if (question.type === "fill_blank") {
    return rightAnswer.map((accepted) => accepted.join(" / ")).join("；");
  }
  return "";
}

/** Show right/wrong, the right answer and the explanation under the question. */
export function renderFeedback(box, question, feedback, messages) {
  const panel = element("div", `question-feedback ${feedback.correct ? "right" : "wrong"}`);
  panel.setAttribute("role", "status");
  panel.append(element("p", "question-verdict", feedback.correct ? messages.msgRight : messages.msgWrong));
  if (feedback.right_answer !== undefined && feedback.right_answer !== null) {
    const text = rightAnswerText(question, feedback.right_answer, messages);
    if (text) {
      panel.append(element("p", "question-answer", `${messages.msgAnswer} ${text}`));
    }
  }
  if (feedback.explanation) {
    panel.append(element("p", "question-explanation", `${messages.msgExplanation} ${feedback.explanation}`));
  }
  box.append(panel);
  return panel;
}

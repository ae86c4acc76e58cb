/* 朗读 (read aloud): reads the page's main content with the browser's speech synthesis
   in a Chinese voice (the page's language), from the top or from the paragraph tapped,
   with pause, resume and stop; slower in elder mode. The control is in base.html
   (#read-aloud, hidden until this script runs), so every page has it.

   What is read, in which order (docs/read-aloud.md):
   - the read units of <main>, in document order: headings, paragraphs, list items,
     terms and definitions, table cells, captions, labels, legends, and any element with
     data-read-label;
   - data-read-order="N" on siblings: those are read in ascending N, at the place of the
     first of them (a question's stem 0, its options 1..n in the order shown);
   - data-read-label="A": said before the element's text (an option's letter);
   - data-read-skip: not read, nor anything inside it.
   Each unit is one utterance, so a tap can start anywhere and the one being read is
   outlined. Nothing here is inline script: the CSP stays as it is. */

const NORMAL_RATE = 1.0;
const ELDER_RATE = 0.8;
const UNIT = "h1,h2,h3,h4,h5,h6,p,li,dt,dd,caption,th,td,figcaption,blockquote,legend,"
  + "label,summary,[data-read-label]";
const NOT_READ = "[data-read-skip],[hidden],[aria-hidden='true'],script,style,template,noscript";
const INTERACTIVE = "a,button,input,select,textarea,summary,label";
const VOICE_WAIT_MS = 1500;

const control = document.getElementById("read-aloud");
const main = document.getElementById("main");
const synth = window.speechSynthesis;

function message(name) {
  const element = control.querySelector(`[data-read-message="${name}"]`);
  return element ? element.textContent.trim() : "";
}

function visible(element) {
  return element.getClientRects().length > 0;
}

/** The element's children with those carrying data-read-order sorted among themselves,
    in the slots where they stand. */
function orderedChildren(element) {
  const children = [...element.children];
  const slots = [];
  children.forEach((child, index) => {
    if (child.hasAttribute("data-read-order")) {
      slots.push(index);
    }
  });
  if (slots.length > 1) {
    const sorted = slots.map((index) => children[index]).sort(
      (a, b) => Number(a.dataset.readOrder) - Number(b.dataset.readOrder),
    );
    slots.forEach((slot, position) => {
      children[slot] = sorted[position];
    });
  }
  return children;
}

function spoken(element) {
  const clone = element.cloneNode(true);
  for (const skipped of clone.querySelectorAll(NOT_READ)) {
    skipped.remove();
  }
  const text = clone.textContent.replace(/\s+/g, " ").trim();
  const label = element.dataset.readLabel;
  return label ? `${label} ${text}`.trim() : text;
}

function isUnit(element) {
  if (element.matches(UNIT)) {
    return true;
  }
  // An ordered element with nothing readable inside it is a unit of its own.
  return element.hasAttribute("data-read-order") && !element.querySelector(UNIT);
}

/** The page's read units, in reading order: [{element, text}]. */
export function readUnits(root) {
  const units = [];
  const walk = (element) => {
    for (const child of orderedChildren(element)) {
      if (child.matches(NOT_READ) || !visible(child)) {
        continue;
      }
      if (isUnit(child)) {
        const text = spoken(child);
        if (text) {
          units.push({ element: child, text });
        }
      } else {
        walk(child);
      }
    }
  };
  walk(root);
  return units;
}

function chooseVoice(voices, lang) {
  const wanted = lang.toLowerCase().startsWith("zh") ? /^(zh|cmn)/i : new RegExp(`^${lang}`, "i");
  const exact = voices.find((voice) => voice.lang.replace("_", "-").toLowerCase() === lang.toLowerCase());
  return exact || voices.find((voice) => wanted.test(voice.lang)) || null;
}

async function voices() {
  const now = synth.getVoices();
  if (now.length) {
    return now;
  }
  // Chromium lists its voices a moment after the page loads.
  await new Promise((resolve) => {
    synth.addEventListener("voiceschanged", resolve, { once: true });
    setTimeout(resolve, VOICE_WAIT_MS);
  });
  return synth.getVoices();
}

class Reader {
  constructor() {
    this.lang = document.documentElement.lang === "en" ? "en" : "zh-CN";
    this.rate = document.documentElement.classList.contains("elder") ? ELDER_RATE : NORMAL_RATE;
    this.state = "idle"; // idle | reading | paused
    this.picking = false;
    this.generation = 0;
    this.units = [];
    this.index = 0;
    this.voice = null;
    this.status = control.querySelector(".read-aloud-status");
  }

  say(text) {
    this.status.textContent = text;
  }

  show() {
    for (const button of control.querySelectorAll("[data-read-action]")) {
      const action = button.dataset.readAction;
      button.hidden = {
        start: this.state !== "idle",
        pick: this.state !== "idle",
        pause: this.state !== "reading",
        resume: this.state !== "paused",
        stop: this.state === "idle",
      }[action];
    }
    control.dataset.state = this.state;
  }

  async ready() {
    if (!synth || typeof window.SpeechSynthesisUtterance !== "function") {
      this.say(message("unsupported"));
      return false;
    }
    this.voice = chooseVoice(await voices(), this.lang);
    if (!this.voice && this.lang === "zh-CN") {
      this.say(message("no-voice"));
      return false;
    }
    return true;
  }

  async start(fromElement = null) {
    if (!(await this.ready())) {
      return;
    }
    this.stop();
    this.units = readUnits(main);
    const found = fromElement
      ? this.units.findIndex((unit) => unit.element.contains(fromElement)
        || unit.element === fromElement)
      : 0;
    this.index = Math.max(found, 0);
    this.state = "reading";
    this.say(message("reading"));
    this.show();
    this.speakNext(this.generation);
  }

  speakNext(generation) {
    if (generation !== this.generation) {
      return; // stopped, or started again elsewhere
    }
    this.outline(null);
    if (this.index >= this.units.length) {
      this.finish();
      return;
    }
    const unit = this.units[this.index];
    this.outline(unit.element);
    const utterance = new SpeechSynthesisUtterance(unit.text);
    utterance.lang = this.lang;
    utterance.rate = this.rate;
    if (this.voice) {
      utterance.voice = this.voice;
    }
    const next = () => {
      if (generation === this.generation) {
        this.index += 1;
        this.speakNext(generation);
      }
    };
    utterance.addEventListener("end", next);
    utterance.addEventListener("error", (event) => {
      if (event.error !== "interrupted" && event.error !== "canceled") {
        next();
      }
    });
    synth.speak(utterance);
  }

  outline(element) {
    for (const old of main.querySelectorAll(".reading-now")) {
      old.classList.remove("reading-now");
    }
    if (element) {
      element.classList.add("reading-now");
    }
  }

  pause() {
    synth.pause();
    this.state = "paused";
    this.say(message("paused"));
    this.show();
  }

  resume() {
    synth.resume();
    this.state = "reading";
    this.say(message("reading"));
    this.show();
  }

  stop() {
    this.generation += 1;
    synth.cancel();
    this.outline(null);
    this.state = "idle";
    this.show();
  }

  finish() {
    this.stop();
    this.say(message("done"));
  }

  pick() {
    this.picking = true;
    this.say(message("pick"));
  }

  /** A tap on the page: starts reading there when picking, or while reading. */
  tapped(event) {
    if (!this.picking && this.state === "idle") {
      return;
    }
    if (control.contains(event.target)) {
      return;
    }
    if (!this.picking && event.target.closest(INTERACTIVE)) {
      return; // while reading, links and buttons keep working
    }
    const unit = readUnits(main).find((candidate) => candidate.element.contains(event.target));
    if (!unit) {
      return;
    }
    event.preventDefault();
    this.picking = false;
    this.start(unit.element);
  }
}

if (control && main) {
  const reader = new Reader();
  control.hidden = false;
  reader.show();
  const actions = {
    start: () => reader.start(),
    pick: () => reader.pick(),
    pause: () => reader.pause(),
    resume: () => reader.resume(),
    stop: () => reader.stop(),
  };
  control.addEventListener("click", (event) => {
    const button = event.target.closest("[data-read-action]");
    if (button) {
      actions[button.dataset.readAction]();
    }
  });
  main.addEventListener("click", (event) => reader.tapped(event), true);
  window.addEventListener("pagehide", () => synth && synth.cancel());
}

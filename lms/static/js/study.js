/* Study time for the lesson player (a player extension registered by study): opens a
   play session, then reports what was played every heartbeat_interval seconds, on pause
   and when the page is hidden (fetch with keepalive: sendBeacon cannot carry the CSRF
   header). The server decides what counts; this script only reports honestly and
   explains refusals. A beat the server refuses as too soon after the last one (429
   too_soon) or does not record is kept and sent with the next beat; after a refusal
   while paused, the next beat goes when the server says it is due (retry_after).
   Settings come from pageConfig("study") (lms/study/hooks.py).

   window.lmsStudy = {beat, session()} is there for the browser tests. */
import { csrfToken } from "./csrf.js";
import { fillUrl, pageConfig } from "./page.js";
import { player } from "./player.js";

const MAX_SEGMENTS = 50;

function startStudy(config, video) {
  const root = document.getElementById("player");
  const status = document.getElementById("player-status");
  let session = null;
  let seq = 0;
  let segments = [];
  let current = null;  // the segment being played: [from, to]
  let lastTime = null;
  let stopped = false;
  let idleMinutes = null;
  let lastInteraction = Date.now();
  let idlePrompt = null;
  let retryTimer = null;

  const text = (key) => config.messages[key] || "";

  function show(message) {
    if (status) {
      status.textContent = message;
    }
  }

  function post(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    });
  }

  function closeSegment() {
    if (current && current[1] > current[0]) {
      segments.push([current[0], current[1]]);
    }
    current = null;
  }

  function furthest() {
    let end = session ? session.furthest_position : 0;
    for (const segment of current ? segments.concat([current]) : segments) {
      end = Math.max(end, segment[1]);
    }
    return end;
  }

  video.addEventListener("timeupdate", () => {
    const now = video.currentTime;
    if (!video.paused && lastTime !== null && now >= lastTime && now - lastTime < 3) {
      if (!current) {
        current = [lastTime, now];
      } else {
        current[1] = now;
      }
    } else {
      closeSegment();
    }
    lastTime = now;
  });
  video.addEventListener("seeking", () => {
    closeSegment();
    lastTime = null;
    if (session && session.forbid_skip && video.currentTime > furthest() + 2) {
      video.currentTime = furthest();
    }
  });

  function showProgress(result) {
    const percent = Math.round(result.progress * 100);
    show(result.completed ? `${text("msgCompleted")} (${percent}%)` : `${text("msgProgress")} ${percent}%`);
    root.dataset.progress = String(result.progress);
    root.dataset.credited = String(result.lesson_credited_seconds);
  }

  async function errorOf(response) {
    try {
      return (await response.json()).error;
    } catch (error) {
      return null;  // no JSON body
    }
  }

  async function beat(keepalive) {
    if (!session || stopped) {
      return;
    }
    clearTimeout(retryTimer);
    closeSegment();
    const played = segments;
    segments = [];
    if (!video.paused && lastTime !== null) {
      current = [video.currentTime, video.currentTime];
    }
    seq += 1;
    const body = {
      seq,
      position: video.currentTime || 0,
      segments: played.slice(0, MAX_SEGMENTS),
      rate: video.playbackRate || 1,
      visible: document.visibilityState === "visible" || Boolean(keepalive),
    };
    const keepForNextBeat = () => {
      segments = played.concat(segments).slice(-MAX_SEGMENTS);
    };
    let response;
    try {
      response = await post(fillUrl(config.heartbeats, { id: session.play_session_id }), body, keepalive);
    } catch (error) {
      keepForNextBeat();  // offline: send what was played with the next beat
      return;
    }
    if (response.status === 409 || (response.status === 403 && (await errorOf(response)) === "closed")) {
      stopped = true;  // another player took over (409), or the lesson closed to them
      video.pause();
      show(text(response.status === 409 ? "msgSuperseded" : "msgClosed"));
    } else if (response.status === 401) {
      show(text("msgLoggedOut"));
    } else if (response.status === 429) {
      keepForNextBeat();  // too soon after the last beat, or rate limited: not recorded
      let answer = {};
      try {
        answer = await response.json();
      } catch (error) {
        // no body: the next timed beat sends it
      }
      if (answer.error === "too_soon" && video.paused) {
        // No timed beat follows a pause: send it when due. What was kept was played
        // while the page was visible, even if it is hidden by then (as with keepalive).
        retryTimer = setTimeout(() => beat(body.visible), (answer.retry_after || 1) * 1000 + 250);
      }
    } else if (response.status >= 500) {
      keepForNextBeat();  // not recorded
    } else if (response.ok) {
      try {
        showProgress(await response.json());
      } catch (error) {
        // an answer cut short: the next beat shows the progress
      }
    }
  }

  function askIfStillThere() {
    if (idlePrompt || video.paused) {
      return;
    }
    idlePrompt = document.createElement("div");
    idlePrompt.className = "idle-prompt";
    idlePrompt.setAttribute("role", "alertdialog");
    const question = document.createElement("p");
    question.textContent = text("msgStillThere");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button primary";
    button.textContent = text("msgContinue");
    idlePrompt.append(question, button);
    document.body.appendChild(idlePrompt);
    button.focus();
    const pauseTimer = setTimeout(() => video.pause(), 60000);
    button.addEventListener("click", () => {
      clearTimeout(pauseTimer);
      idlePrompt.remove();
      idlePrompt = null;
      lastInteraction = Date.now();
      if (video.paused) {
        video.play();
      }
    });
  }

  for (const name of ["pointerdown", "keydown", "touchstart"]) {
    document.addEventListener(name, () => { lastInteraction = Date.now(); }, true);
  }

  function tick() {
    if (!video.paused) {
      beat(false);
    }
    if (!video.paused && Date.now() - lastInteraction > idleMinutes * 60000) {
      askIfStillThere();
    }
  }

  async function openSession() {
    const response = await post(config.playSessions, {});
    if (!response.ok) {
      return;
    }
    const opened = await response.json();
    session = opened;
    idleMinutes = opened.idle_minutes;
    showProgress(opened);
    const resume = () => {
      if (opened.resume_position > 0) {
        video.currentTime = opened.resume_position;
      }
    };
    if (video.readyState >= 1) {
      resume();
    } else {
      video.addEventListener("loadedmetadata", resume, { once: true });
    }
    setInterval(tick, opened.heartbeat_interval * 1000);
  }

  openSession();
  video.addEventListener("pause", () => beat(false));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      beat(true);
      video.pause();
    }
  });
  window.addEventListener("pagehide", () => beat(true));
  return { beat, session: () => session };
}

const config = pageConfig("study");
if (config && player) {
  window.lmsStudy = startStudy(config, player.video);
}

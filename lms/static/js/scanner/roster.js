/* The class's roster kept on the device: names show at once, offline too. Fetched when
   the page opens online, every minute while it is shown, after scans were sent and when
   the network returns; the last one fetched is kept in IndexedDB. */
import { request } from "./http.js";
import { settings } from "./settings.js";
import * as store from "./store.js";
import { askToLogIn, showRoster } from "./view.js";

let byKey = new Map();
let byNumber = new Map();
let byId = new Map();

export function learnerOfCardKey(key) {
  return byKey.get(key);
}

export function learnerOfNumber(number) {
  return byNumber.get(number);
}

export function learnerById(id) {
  return byId.get(id);
}

function useRoster(saved) {
  const learners = saved ? saved.roster.learners : [];
  byKey = new Map(learners.map((learner) => [learner.card_key, learner]));
  byNumber = new Map(learners.map((learner) => [learner.card_number, learner]));
  byId = new Map(learners.map((learner) => [learner.id, learner]));
  showRoster(saved);
}

export async function useKeptRoster() {
  useRoster(await store.loadRoster(settings.sessionId));
}

export async function refreshRoster() {
  try {
    const response = await request(settings.urls.roster);
    if (response.status === 401) {
      askToLogIn();
      return;
    }
    if (!response.ok) {
      return;
    }
    await store.saveRoster(settings.sessionId, await response.json());
    await useKeptRoster();
  } catch (error) {
    // offline or slow: the kept roster stays in use
  }
}

/* Places to learn: "Nearest first" sorts the directory by distance from where the phone
   is. The position comes from the browser (navigator.geolocation) and stays here: the
   page fetches the places of its filter (names and coordinates, the same for everyone)
   and works the distances out itself. Nothing about the position is sent anywhere. */

import { format, pageConfig } from "./page.js";

const config = pageConfig("places");
const button = document.getElementById("sort-by-distance");
const list = document.getElementById("place-list");
const status = document.getElementById("distance-status");
const more = document.getElementById("more-places");
const pager = document.querySelector(".pager");

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in km between two WGS-84 points (haversine). */
export function distanceKm(from, to) {
  const rad = (degrees) => (degrees * Math.PI) / 180;
  const dLat = rad(to.latitude - from.latitude);
  const dLon = rad(to.longitude - from.longitude);
  const a = Math.sin(dLat / 2) ** 2
    + Math.cos(rad(from.latitude)) * Math.cos(rad(to.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Places with a known position first, nearest first; the others after, as they came. */
export function byDistance(places, here) {
  const known = places.filter((p) => p.latitude !== null && p.longitude !== null)
    .map((p) => ({ ...p, km: distanceKm(here, p) }))
    .sort((a, b) => a.km - b.km);
  const unknown = places.filter((p) => p.latitude === null || p.longitude === null)
    .map((p) => ({ ...p, km: null }));
  return [...known, ...unknown];
}

function item(place) {
  const li = document.createElement("li");
  li.className = "class-item";
  const link = document.createElement("a");
  link.href = place.url;
  const name = document.createElement("strong");
  name.textContent = place.name;
  const kind = document.createElement("span");
  kind.textContent = `${place.kind} · ${place.town}`;
  const distance = document.createElement("span");
  distance.className = "distance";
  distance.textContent = place.km === null
    ? config.messages.noPosition
    : format(config.messages.km, { km: place.km.toFixed(place.km < 10 ? 1 : 0) });
  link.append(name, kind);
  if (place.address) {
    const address = document.createElement("span");
    address.textContent = place.address;
    link.append(address);
  }
  link.append(distance);
  li.append(link);
  return li;
}

function show(sorted) {
  let shown = 0;
  const showMore = () => {
    const next = sorted.slice(shown, shown + config.perPage);
    list.append(...next.map(item));
    shown += next.length;
    more.hidden = shown >= sorted.length;
  };
  list.replaceChildren();
  if (pager) {
    pager.hidden = true; // the sorted list pages itself with "More"
  }
  more.onclick = showMore;
  showMore();
}

async function sortByDistance() {
  if (!("geolocation" in navigator)) {
    status.textContent = config.messages.unsupported;
    return;
  }
  status.textContent = config.messages.asking;
  let position;
  try {
    position = await new Promise((resolve, reject) =>
      navigator.geolocation.getCurrentPosition(resolve, reject, {
        enableHighAccuracy: false, maximumAge: 600000, timeout: 30000,
      }));
  } catch {
    status.textContent = config.messages.denied;
    return;
  }
  let places;
  try {
    const response = await fetch(config.url, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      throw new Error(String(response.status));
    }
    places = (await response.json()).places;
  } catch {
    status.textContent = config.messages.failed;
    return;
  }
  const here = { latitude: position.coords.latitude, longitude: position.coords.longitude };
  show(byDistance(places, here));
  status.textContent = config.messages.sorted;
  list.dataset.sorted = "distance";
}

if (config && button && list) {
  button.addEventListener("click", sortByDistance);
}

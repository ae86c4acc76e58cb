/* Requests of the scanner: same-origin, never from the HTTP cache, JSON wanted, and
   given up after a while (a phone on a weak network would otherwise wait minutes). */

const REQUEST_TIMEOUT_MS = 20000;

export async function request(url, options = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  try {
    return await fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      ...options,
      signal: controller.signal,
      headers: { Accept: "application/json", ...options.headers },
    });
  } finally {
    clearTimeout(timer);
  }
}

/* The staff's full-screen check-in page: fetch the rotating QR and code, refresh them
   when they expire (every ~15 s), show how many have checked in. The QR's URL comes
   from pageConfig("present"). */
import { pageConfig } from "./page.js";

const RETRY_MS = 3000;

async function refresh(qrUrl) {
  let data;
  try {
    const response = await fetch(qrUrl, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) {
      throw new Error(String(response.status));
    }
    data = await response.json();
  } catch (error) {
    setTimeout(() => refresh(qrUrl), RETRY_MS);
    return;
  }
  document.getElementById("qr").src = data.image;
  document.getElementById("code").textContent = data.code;
  document.getElementById("checked-in").textContent = data.checked_in;
  const out = document.getElementById("checked-out");
  if (out) {
    out.textContent = data.checked_out;
  }
  setTimeout(() => refresh(qrUrl), Math.max(1, data.expires_in) * 1000 + 200);
}

const config = pageConfig("present");
if (config && document.getElementById("present")) {
  refresh(config.qrUrl);
}

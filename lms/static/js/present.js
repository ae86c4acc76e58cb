// The staff's full-screen check-in page: fetch the rotating QR and code, refresh them
// when they expire (every ~15 s), show how many have checked in.
(function () {
  "use strict";
  var box = document.getElementById("present");
  if (!box) return;
  function refresh() {
    fetch(box.dataset.url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        document.getElementById("qr").src = data.image;
        document.getElementById("code").textContent = data.code;
        document.getElementById("checked-in").textContent = data.checked_in;
        var out = document.getElementById("checked-out");
        if (out) out.textContent = data.checked_out;
        setTimeout(refresh, Math.max(1, data.expires_in) * 1000 + 200);
      })
      .catch(function () { setTimeout(refresh, 3000); });
  }
  refresh();
})();

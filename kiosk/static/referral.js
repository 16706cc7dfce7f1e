/* The printed slip: a Print button, and printing at once when opened with auto=1 (a kiosk's
 * Chromium started with --kiosk --kiosk-printing prints silently), then back to the kiosk. */
(function () {
  "use strict";
  var body = document.body;
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });
  if (body.getAttribute("data-auto-print") === "1") {
    window.addEventListener("afterprint", function () {
      var back = body.getAttribute("data-back");
      if (back) { window.location.replace(back); }
    });
    window.addEventListener("load", function () { window.print(); });
  }
}());

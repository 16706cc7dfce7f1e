/* The printed slip: a Print button, and printing at once when opened with auto=1 (a kiosk's
 * Chromium started with --kiosk --kiosk-printing prints silently), then back to the kiosk --
 * and back to the kiosk anyway after its idle time, so a slip that did not print never stays on
 * the lobby screen. */
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
    var idle = Number(body.getAttribute("data-idle"));
    if (idle > 0) {
      setTimeout(function () { window.location.replace(body.getAttribute("data-back")); }, idle * 1000);
    }
  }
}());

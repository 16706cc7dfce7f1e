/* The printed slip: its Print button. (The lobby kiosk prints from its own print screen, which
 * kiosk.js drives; see kiosk/templates/lobby/print.html.) */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });
}());

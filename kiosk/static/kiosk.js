/* The lobby kiosk's script. It only adds to pages that work without it:
 * - idle reset: after data-idle seconds without a touch, a countdown of data-countdown seconds,
 *   then everything is wiped (storage, form fields, scroll) and the home page is loaded with
 *   location.replace, so no page of the visit stays in the browser's history;
 * - quick exit on Escape, and for the Quick exit button, with the same wipe;
 * - navigation by location.replace (links, search forms, buttons), so Back shows nothing;
 * - a card's "Add to my referral" / "remove" posted in place (forms marked data-inplace): the
 *   card's new form and the referral's count are swapped in, so the page stays where it was;
 * - the print screen (body data-print-return): print the slip, then back to the start after
 *   data-print-return seconds whatever the printer does. */
(function () {
  "use strict";
  var body = document.body;
  if (!body || !body.classList.contains("kiosk")) { return; }

  var idleMs = Number(body.getAttribute("data-idle")) * 1000;
  var countdown = Number(body.getAttribute("data-countdown"));
  var resetUrl = body.getAttribute("data-reset-url");
  var exitUrl = body.getAttribute("data-exit-url");
  var dialog = document.getElementById("idle-dialog");
  var secondsEl = document.getElementById("idle-seconds");
  var idleTimer = null;
  var tickTimer = null;
  var leaving = false;

  function wipe() {
    try { window.sessionStorage.clear(); } catch (e) { /* storage disabled */ }
    try { window.localStorage.clear(); } catch (e) { /* storage disabled */ }
    Array.prototype.forEach.call(document.forms, function (form) { form.reset(); });
    Array.prototype.forEach.call(document.querySelectorAll("input[type=search]"), function (input) { input.value = ""; });
    window.scrollTo(0, 0);
  }

  function leave(url) {
    if (leaving) { return; }
    leaving = true;
    clearTimeout(idleTimer);
    clearInterval(tickTimer);
    wipe();
    window.location.replace(url);
  }

  function go(url) {
    if (!leaving) { window.location.replace(url); }
  }

  /* idle reset */
  function startCountdown() {
    var left = countdown;
    secondsEl.textContent = String(left);
    if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    tickTimer = setInterval(function () {
      left -= 1;
      secondsEl.textContent = String(Math.max(left, 0));
      if (left <= 0) { leave(resetUrl); }
    }, 1000);
  }

  function stay() {
    clearInterval(tickTimer);
    if (dialog.open) { dialog.close(); }
    restart();
  }

  function restart() {
    if (leaving || !dialog || dialog.open) { return; }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(startCountdown, idleMs);
  }

  if (dialog) {
    ["pointerdown", "keydown", "input", "wheel", "touchstart"].forEach(function (type) {
      document.addEventListener(type, restart, { passive: true, capture: true });
    });
    window.addEventListener("scroll", restart, { passive: true });
    document.getElementById("idle-stay").addEventListener("click", stay);
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); stay(); });
  }

  /* quick exit */
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !(dialog && dialog.open)) { event.preventDefault(); leave(exitUrl); }
  });

  /* navigation without history */
  function sameOrigin(url) { return url.origin === window.location.origin; }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link) { return; }
    var url = new URL(link.href, window.location.href);
    if (url.protocol === "tel:" || !sameOrigin(url)) { return; }
    if (url.hash && url.pathname === window.location.pathname && url.search === window.location.search) { return; }
    event.preventDefault();
    if (link.id === "quick-exit" || url.pathname === new URL(exitUrl, window.location.href).pathname) { leave(exitUrl); return; }
    if (url.pathname === new URL(resetUrl, window.location.href).pathname) { leave(resetUrl); return; }
    go(url.href);
  });

  /* a card's referral form, answered in place */
  var statusEl = document.getElementById("referral-status");
  var countEl = document.getElementById("referral-count");
  var statusTimer = null;

  function announce(message) {
    if (!statusEl) { return; }
    statusEl.textContent = message;
    clearTimeout(statusTimer);
    statusTimer = setTimeout(function () { statusEl.textContent = ""; }, 6000);
  }

  function inPlace(form, params) {
    var hadFocus = form.contains(document.activeElement);
    window.fetch(new URL(form.action, window.location.href).href, {
      method: "POST",
      body: params,
      credentials: "same-origin",
      headers: { "X-Kiosk-Navigation": "inplace", "Accept": "application/json" },
      redirect: "manual"
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (answer) {
      var holder = document.createElement("div");
      holder.innerHTML = answer.form;
      var fresh = holder.querySelector("form");
      if (!fresh) { throw new Error("no form"); }
      form.replaceWith(fresh);
      if (countEl) { countEl.innerHTML = answer.badge; }
      announce(answer.message);
      var button = fresh.querySelector("button");
      if (hadFocus && button) { button.focus(); }
    }).catch(function () { form.submit(); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form || form.method === undefined) { return; }
    var action = new URL(form.action, window.location.href);
    if (!sameOrigin(action)) { return; }
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
    var params = new URLSearchParams();
    data.forEach(function (value, key) { if (typeof value === "string") { params.append(key, value); } });
    if (form.hasAttribute("data-inplace") && form.method.toLowerCase() === "post") {
      inPlace(form, params);
      return;
    }
    if (form.method.toLowerCase() === "get") {
      action.search = params.toString();
      go(action.href);
      return;
    }
    window.fetch(action.href, {
      method: "POST",
      body: params,
      credentials: "same-origin",
      headers: { "X-Kiosk-Navigation": "replace" },
      redirect: "manual"
    }).then(function (response) {
      var next = response.headers.get("X-Kiosk-Location");
      if (next) { go(next); } else { form.submit(); }
    }).catch(function () { form.submit(); });
  });

  /* the print screen: print at once, and back to the start within its time whatever the
     printer does (the timer is set before printing, which may hold the page) */
  var printReturn = Number(body.getAttribute("data-print-return"));
  if (printReturn > 0) {
    var secondsLeft = document.getElementById("print-seconds");
    var left = printReturn;
    setTimeout(function () { leave(resetUrl); }, printReturn * 1000);
    setInterval(function () {
      left = Math.max(left - 1, 0);
      if (secondsLeft) { secondsLeft.textContent = String(left); }
    }, 1000);
    window.addEventListener("load", function () { setTimeout(function () { window.print(); }, 0); });
  }

  restart();
}());

/* The patrol view's script: "near me" from the tablet's geolocation. Without it (or when the
 * tablet says no) results stay sorted by distance from the station. Positions are rounded to
 * about 100 m before they are sent. */
(function () {
  "use strict";
  var form = document.getElementById("patrol-search");
  if (!form || !navigator.geolocation) { return; }
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  var button = document.getElementById("near-me");
  var where = document.getElementById("where");

  function locate() {
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(3);
      lon.value = position.coords.longitude.toFixed(3);
      form.submit();
    }, function () {
      if (where) { where.textContent = where.getAttribute("data-denied") || where.textContent; }
    }, { enableHighAccuracy: false, timeout: 8000, maximumAge: 60000 });
  }

  button.hidden = false;
  button.addEventListener("click", locate);
  if (!lat.value) { locate(); }
}());

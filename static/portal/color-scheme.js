// The User Console follows the system colour scheme: Bootstrap 5.3 switches its palette on
// <html data-bs-theme="dark">, which no media query sets, so this does (Bootstrap's own
// colour-modes recipe, without the picker). Loaded in <head> without defer so the first
// paint already has the right scheme; a change of system setting applies at once.
(function () {
  "use strict";
  var query = window.matchMedia("(prefers-color-scheme: dark)");
  function apply() {
    document.documentElement.setAttribute("data-bs-theme", query.matches ? "dark" : "light");
  }
  apply();
  if (query.addEventListener) { query.addEventListener("change", apply); }
}());

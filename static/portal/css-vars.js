// Apply data-css-NAME="value" attributes as the CSS custom property --NAME on their element.
// The Content-Security-Policy refuses style="" attributes; setting a property through the
// CSSOM is allowed, and a custom property only matters where our stylesheets use var().
(function () {
  "use strict";
  function applyTo(element) {
    Object.keys(element.dataset || {}).forEach(function (key) {
      if (key.indexOf("css") !== 0 || key.length < 4) { return; }
      var name = key.slice(3).replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); });
      element.style.setProperty("-" + name, element.dataset[key]);
    });
  }
  function apply(root) {
    applyTo(root);
    root.querySelectorAll("*").forEach(applyTo);
  }
  function start() {
    apply(document.documentElement);
    // Rows added later (admin inlines, filtered lists) get theirs too.
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) { apply(node); }
        });
      });
    }).observe(document.documentElement, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());

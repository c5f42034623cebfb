// Two accessibility defects of the Select2 4.0.13 that Django admin vendors for its
// autocomplete fields (e.g. a group's members), fixed on the rendered markup rather than by
// patching the vendored file:
// - the inline search box has no accessible name (axe "label", critical): it gets the
//   text of the field's own <label>;
// - the "remove all" cross is a <span> inside the <ul> of chosen items (axe "list"): it
//   moves just before the list, still inside .select2-selection, where Select2's delegated
//   mousedown handler still finds it. It is mouse-only in Select2 (Backspace removes items
//   from the keyboard), so it is hidden from screen readers as Select2 intends it.
// Select2 re-renders on every change, so a MutationObserver re-applies both.
(function () {
  "use strict";
  function fieldName(container) {
    var select = container && container.previousElementSibling;
    if (!select || select.tagName !== "SELECT" || !select.id) { return ""; }
    var label = document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }
  function fix() {
    document.querySelectorAll(".select2-container .select2-search__field:not([aria-label])").forEach(function (input) {
      var name = fieldName(input.closest(".select2-container"));
      if (name) { input.setAttribute("aria-label", name); }
    });
    document.querySelectorAll("ul.select2-selection__rendered > .select2-selection__clear").forEach(function (cross) {
      var list = cross.parentElement;
      cross.setAttribute("aria-hidden", "true");
      list.parentElement.insertBefore(cross, list);
    });
  }
  function start() {
    fix();
    new MutationObserver(fix).observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());

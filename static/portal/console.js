// Instant tile filtering; without JavaScript the search box submits ?q= instead.
(function () {
  var input = document.getElementById("tile-search");
  var grid = document.getElementById("tiles");
  if (!input || !grid) return;
  var none = document.getElementById("tiles-none");
  var items = grid.querySelectorAll(".tile-item");
  input.addEventListener("input", function () {
    var term = input.value.trim().toLowerCase();
    var shown = 0;
    items.forEach(function (item) {
      var match = item.dataset.label.indexOf(term) !== -1;
      item.hidden = !match;
      if (match) shown += 1;
    });
    if (none) none.classList.toggle("d-none", shown !== 0);
  });
})();

// The matrix's drill-down: when the remarks of a cell, a row or a column arrive (htmx), move the
// focus to their heading, so keyboard and screen reader users land on what they asked for.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "remarks") return;
    var heading = document.getElementById("remarks-heading");
    if (heading) heading.focus();
  });
})();

// Fremdrift's only script of its own: tell the user when a background save did not get through.
// Rows answer 409/422 with their own fragment (swapped in by htmx); anything else lands here.
(function () {
  "use strict";
  function flash(message) {
    var box = document.getElementById("flash");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 401) {
      flash("Du er ikke længere logget ind. Din ændring er ikke gemt: log ind i et nyt faneblad, og gem igen.");
      return;
    }
    var text = xhr.responseText || "";
    var doc = new DOMParser().parseFromString(text, "text/html");
    var message = doc.querySelector(".error-message, p");
    flash((message ? message.textContent : "Ændringen blev ikke gemt.") + " (" + xhr.status + ")");
  });
  document.addEventListener("htmx:sendError", function () {
    flash("Ingen forbindelse til serveren. Din ændring er ikke gemt; prøv igen.");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("flash");
    if (box) box.hidden = true;
  });
})();

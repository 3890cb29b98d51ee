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
    // A plain-text answer (the body-size limit's 413, for one) is shown as it is.
    var plain = doc.body ? doc.body.textContent.trim().slice(0, 300) : "";
    flash((message ? message.textContent : plain || "Ændringen blev ikke gemt.") + " (" + xhr.status + ")");
  });
  document.addEventListener("htmx:sendError", function () {
    flash("Ingen forbindelse til serveren. Din ændring er ikke gemt; prøv igen.");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("flash");
    if (box) box.hidden = true;
  });

  // The user's typing is never lost. A row's answer replaces the whole row, so anything typed or
  // clicked in it while its save was on the way is carried into the new row; it is then saved
  // too, except after a conflict, where the user decides (saving would overwrite the other value).
  var ROW_FORM = "form.row-form";
  var carried = {};

  function fieldValues(form) {
    var values = {};
    form.querySelectorAll("input, textarea").forEach(function (field) {
      if (!field.name || field.type === "hidden") return;
      if (field.type === "radio") {
        if (field.checked) values[field.name] = field.value;
        else if (!(field.name in values)) values[field.name] = "";
      } else if (field.type === "checkbox") {
        values[field.name] = field.checked;
      } else {
        values[field.name] = field.value;
      }
    });
    return values;
  }

  function setField(form, name, value) {
    form.querySelectorAll("[name='" + name + "']").forEach(function (field) {
      if (field.type === "radio") field.checked = field.value === value;
      else if (field.type === "checkbox") field.checked = value === true;
      else field.value = value;
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form.matches && form.matches(ROW_FORM)) form.dataset.sent = JSON.stringify(fieldValues(form));
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var form = target && target.querySelector ? target.querySelector(ROW_FORM) : null;
    if (!form || !form.dataset.sent || !target.id) return;
    var sent = JSON.parse(form.dataset.sent);
    var live = fieldValues(form);
    var changed = {};
    Object.keys(live).forEach(function (name) {
      if (live[name] !== sent[name]) changed[name] = live[name];
    });
    if (!Object.keys(changed).length) return;
    var active = document.activeElement;
    var focused = active && form.contains(active) ? active : null;
    carried[target.id] = {
      changed: changed,
      save: event.detail.xhr.status !== 409,
      focus: focused ? focused.name : null,
      caret: focused && typeof focused.selectionStart === "number" ? focused.selectionStart : null,
    };
  });

  document.addEventListener("htmx:afterSettle", function () {
    Object.keys(carried).forEach(function (id) {
      var state = carried[id];
      delete carried[id];
      var row = document.getElementById(id);
      var form = row ? row.querySelector(ROW_FORM) : null;
      if (!form) return;
      Object.keys(state.changed).forEach(function (name) { setField(form, name, state.changed[name]); });
      if (state.focus) {
        var field = form.querySelector("[name='" + state.focus + "']:not([type=radio])");
        if (field) {
          field.focus();
          if (state.caret !== null && field.setSelectionRange) field.setSelectionRange(state.caret, state.caret);
        }
      }
      if (state.save) window.htmx.trigger(form, "change");
    });
  });
})();

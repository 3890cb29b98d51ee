// Fremdrift's own script: tell the user when a background save did not get through, keep their
// typing and their place (focus) when a row is swapped, announce each result, and keep a misclick
// on "Fravalgt" from saving anything. No inline script or style anywhere (strict CSP).
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

  // ------------------------------------------------------------------ announcements
  // One live region that exists from the start (a region swapped in is often not read out).
  function announce(message, urgent) {
    var region = document.getElementById(urgent ? "error-announcer" : "save-announcer");
    if (!region || !message) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  function announceResult(row) {
    var conflict = row.querySelector(".conflict");
    if (conflict) return announce(conflict.textContent.replace(/\s+/g, " ").trim(), true);
    var error = row.querySelector(".field-error");
    if (error) return announce("Ikke gemt. " + error.textContent.replace(/\s+/g, " ").trim(), true);
    if (!row.querySelector(".saved")) return;
    var label = row.querySelector(".rec-text .kind");
    var text = row.querySelector(".rec-text");
    var name = text ? text.textContent.replace(label ? label.textContent : "", "").trim() : "";
    announce("Gemt: " + name.slice(0, 60), false);
  }

  // ------------------------------------------------------------------ a misclick on "Fravalgt"
  // Ticking "Fravalgt" saves nothing until the reason is written: the row keeps its colour, and
  // unticking it again leaves the row as it was. Choosing a colour unticks it.
  document.addEventListener(
    "change",
    function (event) {
      var field = event.target;
      var form = field && field.closest ? field.closest("form.row-form") : null;
      if (!form) return;
      var box = form.querySelector("input[name=opted_out]");
      var reason = form.querySelector("input[name=opt_out_reason]");
      if (!box) return;
      if (field === box && box.checked && reason && !reason.value.trim()) {
        event.stopPropagation(); // htmx listens on the form: it never hears of this change
        announce("Skriv begrundelsen for fravalget. Fravalget gemmes, når begrundelsen er skrevet.", false);
        return;
      }
      // Choosing a colour means the row is followed after all: it is no longer fravalgt.
      if (field.name === "colour" && box.checked) box.checked = false;
    },
    true
  );

  // ------------------------------------------------------------------ typing and focus across a swap
  // A row's answer replaces the whole row, so anything typed or clicked in it while its save was
  // on the way is carried into the new row; it is then saved too, except after a conflict, where
  // the user decides (saving would overwrite the other value). The focus goes back to the same
  // field (each has a stable id), or to the row itself when that field is gone (after "Bekræft").
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
    if (!target || !target.id || !target.classList || !target.classList.contains("status-row")) return;
    var form = target.querySelector(ROW_FORM);
    var active = document.activeElement;
    var inside = active && active !== document.body && target.contains(active);
    var state = {
      changed: {},
      save: event.detail.xhr.status !== 409,
      focus: inside ? active.id || null : null,
      hadFocus: inside,
      caret: inside && typeof active.selectionStart === "number" ? active.selectionStart : null,
    };
    if (form && form.dataset.sent) {
      var sent = JSON.parse(form.dataset.sent);
      var live = fieldValues(form);
      Object.keys(live).forEach(function (name) {
        if (live[name] !== sent[name]) state.changed[name] = live[name];
      });
    }
    carried[target.id] = state;
  });

  document.addEventListener("htmx:afterSettle", function () {
    Object.keys(carried).forEach(function (id) {
      var state = carried[id];
      delete carried[id];
      var row = document.getElementById(id);
      if (!row) return;
      var form = row.querySelector(ROW_FORM);
      var changed = Object.keys(state.changed);
      if (form) changed.forEach(function (name) { setField(form, name, state.changed[name]); });
      // Only when the focus was lost with the old row: a user who has moved on since (Tab pressed
      // while the answer settled) keeps their place.
      var now = document.activeElement;
      var lost = !now || now === document.body || !now.isConnected;
      if (state.hadFocus && lost) {
        var field = state.focus ? document.getElementById(state.focus) : null;
        if (field && row.contains(field)) {
          field.focus();
          if (state.caret !== null && field.setSelectionRange) field.setSelectionRange(state.caret, state.caret);
        } else {
          row.focus();
        }
      }
      announceResult(row);
      if (form && changed.length && state.save) window.htmx.trigger(form, "change");
    });
  });

  // ------------------------------------------------------------------ DKFDS components
  function initComponents(scope) {
    var fds = window.DKFDS;
    if (!fds || !fds.ErrorSummary) return;
    scope.querySelectorAll('[data-module="error-summary"]').forEach(function (element) {
      new fds.ErrorSummary(element).init(); // focuses the summary, and its links focus the field
    });
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.elt && event.detail.elt.querySelectorAll) initComponents(event.detail.elt);
  });
  function ready() {
    initComponents(document);
    // After "Bekræft alle uændrede" the page reloads: put the keyboard user on the result.
    var result = document.getElementById("confirm-error") || document.getElementById("confirmed-all");
    if (result) result.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();

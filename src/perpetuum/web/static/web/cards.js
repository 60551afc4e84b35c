// The client cards: small helpers on top of htmx. Everything works without them.
(function () {
  "use strict";

  // The reason of a decision is asked for only when a decision is being logged.
  function syncReason(form) {
    var kind = form.querySelector("select[name$='-kind']");
    var reason = form.querySelector(".form-cell-reason");
    if (!kind || !reason) return;
    var isDecision = kind.value === "decision";
    reason.hidden = !isDecision;
    var input = reason.querySelector("textarea");
    if (input) input.required = isDecision;
  }

  function init(root) {
    root.querySelectorAll(".interaction-form").forEach(function (form) {
      syncReason(form);
      var kind = form.querySelector("select[name$='-kind']");
      if (kind && !kind.dataset.cardsBound) {
        kind.dataset.cardsBound = "1";
        kind.addEventListener("change", function () { syncReason(form); });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target.parentNode || document); });
})();

/* The kanban board's drag-and-drop: native HTML5 drag events and one htmx request that
   moves the deal and brings the board back. Each card also has a "Move to" menu, so the
   board works from the keyboard and without this file. */
(function () {
  "use strict";

  var dragged = null;

  function column(target) {
    return target && target.closest ? target.closest("[data-stage]") : null;
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest("[data-deal]") : null;
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-deal"));
    card.classList.add("is-dragging");
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("is-dragging"); }
    dragged = null;
    document.querySelectorAll(".board-column.is-over").forEach(function (item) {
      item.classList.remove("is-over");
    });
  });

  document.addEventListener("dragover", function (event) {
    var target = column(event.target);
    if (!target || !dragged) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    target.classList.add("is-over");
  });

  document.addEventListener("dragleave", function (event) {
    var target = column(event.target);
    if (target && !target.contains(event.relatedTarget)) { target.classList.remove("is-over"); }
  });

  document.addEventListener("drop", function (event) {
    var target = column(event.target);
    if (!target || !dragged) { return; }
    event.preventDefault();
    target.classList.remove("is-over");
    var card = dragged;
    dragged = null;
    var stage = target.getAttribute("data-stage");
    if (stage === card.getAttribute("data-stage-id")) { return; }
    var board = document.getElementById("board");
    if (!board || !window.htmx) { return; }
    window.htmx.ajax("POST", card.getAttribute("data-move-url"), {
      source: board,
      target: "#board",
      swap: "outerHTML",
      values: { stage_id: stage, version: card.getAttribute("data-version"), board: "1" },
      headers: { "X-CSRFToken": board.getAttribute("data-csrf") }
    });
  });
})();

// The lead board: drag a card to another column to move the lead (HTML5 drag and drop).
// A static file: the CSP forbids inline script. The server decides every move (the stage rules and
// the stale-version check); this file moves the card at once, puts it back when the move is refused,
// asks for a reason before pausing or ending, and copies the recomputed column totals in.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) { return; }
  var NEEDS_REASON = ["paused", "ended"];
  var message = document.getElementById("board-message");
  var dialog = document.getElementById("reason-dialog");
  var dragged = null;   // {card, parent, next}

  function say(text, ok) {
    message.textContent = text;
    message.className = "alert py-2 " + (ok ? "alert-success" : "alert-danger");
  }

  function cardsOf(column) { return column.querySelector("[data-cards]"); }

  function putBack(state) {
    state.parent.insertBefore(state.card, state.next && state.next.parentNode === state.parent ? state.next : null);
  }

  function updateTotals(totals) {
    Object.keys(totals).forEach(function (stage) {
      var column = board.querySelector('.board-column[data-stage="' + stage + '"]');
      if (!column) { return; }
      column.querySelector("[data-count]").textContent = totals[stage].count;
      column.querySelector("[data-sum]").textContent = totals[stage].amount;
    });
  }

  function send(state, stage, reason) {
    var card = state.card;
    var body = new FormData();
    body.append("csrf_token", board.querySelector("input[name=csrf_token]").value);
    body.append("lead_id", card.getAttribute("data-lead-id"));
    body.append("version_id", card.getAttribute("data-version"));
    body.append("stage", stage);
    body.append("reason", reason || "");
    card.classList.add("board-card-busy");
    fetch(board.getAttribute("data-move-url"), {
      method: "POST", body: body, credentials: "same-origin", headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.json().catch(function () { return {ok: false}; });
    }).then(function (answer) {
      card.classList.remove("board-card-busy");
      if (answer.ok) {
        card.setAttribute("data-stage", answer.stage);
        card.setAttribute("data-version", answer.version_id);
        updateTotals(answer.totals);
        say(answer.message, true);
      } else {
        putBack(state);
        say(answer.message || board.getAttribute("data-error-text"), false);
      }
    }).catch(function () {
      card.classList.remove("board-card-busy");
      putBack(state);
      say(board.getAttribute("data-error-text"), false);
    });
  }

  function askReason(state, stage) {
    var input = document.getElementById("reason-input");
    input.value = "";
    dialog.returnValue = "";
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue === "ok" && input.value.trim()) {
        send(state, stage, input.value.trim());
      } else {
        putBack(state);  // no reason, no move: the service would refuse it anyway
      }
    });
    dialog.showModal();
    input.focus();
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card[draggable=true]");
    if (!card) { return; }
    dragged = {card: card, parent: card.parentNode, next: card.nextSibling};
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-lead-id"));
    card.classList.add("board-card-dragging");
  });

  board.addEventListener("dragend", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (card) { card.classList.remove("board-card-dragging"); }
    board.querySelectorAll(".board-drop").forEach(function (c) { c.classList.remove("board-drop"); });
  });

  board.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (!dragged || !column) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("board-drop");
  });

  board.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (column && !column.contains(event.relatedTarget)) { column.classList.remove("board-drop"); }
  });

  board.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (!dragged || !column) { return; }
    event.preventDefault();
    column.classList.remove("board-drop");
    var state = dragged;
    dragged = null;
    var stage = column.getAttribute("data-stage");
    if (stage === state.card.getAttribute("data-stage")) { return; }
    var target = cardsOf(column);
    target.insertBefore(state.card, target.firstChild);
    if (NEEDS_REASON.indexOf(stage) >= 0) {
      askReason(state, stage);
    } else {
      send(state, stage, "");
    }
  });
})();

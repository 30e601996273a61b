// The pipeline board of a job: drag a card to another column with the mouse,
// or use the card's "Move to…" form (which works without this file too).
// Either way the move is posted with the CSRF token and the server sends the
// board back, which replaces this one without reloading the page. Moving to
// a Rejected column first asks for the reason in a dialog.
(function () {
  "use strict";

  const root = document.querySelector("[data-job-board]");
  if (!root) return;
  const live = document.getElementById("board-status");
  const dialog = document.getElementById("reject-dialog");
  let dragging = null;
  let pending = null; // { card, stage } waiting for a rejection reason

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(text, isError) {
    if (!live) return;
    live.textContent = text;
    live.classList.toggle("board-error", Boolean(isError));
  }

  function replace(html, focusId) {
    root.innerHTML = html;
    if (focusId) {
      const card = root.querySelector('[data-application="' + focusId + '"]');
      if (card) card.focus();
    }
  }

  function reload() {
    return fetch(root.dataset.refresh, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) replace(html); });
  }

  // Post one move. Resolves to null when it worked, or to the server's
  // message when it was refused.
  function post(card, stageId, reason, note) {
    const body = new FormData();
    body.append("stage", stageId);
    if (reason !== undefined) { body.append("reason", reason); body.append("note", note || ""); }
    card.classList.add("board-card-moving");
    return fetch(card.dataset.move, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
    }).then(function (r) {
      return r.text().then(function (text) {
        if (r.ok) { replace(text, card.dataset.application); return null; }
        return text || "The move was refused.";
      });
    }, function () {
      return "The move did not reach the server: check the connection and try again.";
    });
  }

  function column(stageId) {
    return root.querySelector('.board-col[data-stage="' + stageId + '"]');
  }

  function move(card, stageId) {
    const target = column(stageId);
    if (!target) return;
    const name = card.dataset.name;
    const stageName = target.dataset.name;
    if (target.dataset.kind === "rejected") { askReason(card, stageId); return; }
    // Show it where it was dropped at once; the server's board follows.
    target.querySelector(".board-cards").prepend(card);
    say("Moving " + name + " to " + stageName + "…");
    post(card, stageId).then(function (problem) {
      if (problem === null) { say(name + " moved to " + stageName + "."); return; }
      say(problem, true);
      reload();
    });
  }

  function askReason(card, stageId) {
    if (!dialog) return;
    pending = { card: card, stage: stageId };
    dialog.querySelector("[data-reject-name]").textContent = card.dataset.name;
    dialog.querySelector("form").reset();
    const error = dialog.querySelector("[data-reject-error]");
    error.hidden = true;
    error.textContent = "";
    dialog.showModal();
    dialog.querySelector("select").focus();
  }

  if (dialog) {
    dialog.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      if (!pending) { dialog.close(); return; }
      const form = event.target;
      const error = dialog.querySelector("[data-reject-error]");
      const card = pending.card;
      post(card, pending.stage, form.elements.reason.value, form.elements.note.value).then(function (problem) {
        if (problem === null) {
          pending = null;
          dialog.close();
          say(card.dataset.name + " is rejected.");
          return;
        }
        card.classList.remove("board-card-moving");
        error.textContent = problem;
        error.hidden = false;
      });
    });
    // A reason chosen answers the refusal shown for the lack of one.
    dialog.querySelector("select").addEventListener("change", function () {
      dialog.querySelector("[data-reject-error]").hidden = true;
    });
    dialog.querySelector("[data-reject-cancel]").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () {
      if (pending) { const card = pending.card; pending = null; say("Nothing was moved."); reload().then(function () {
        const again = root.querySelector('[data-application="' + card.dataset.application + '"]');
        if (again) again.focus();
      }); }
    });
  }

  // Mouse: HTML5 drag and drop between columns.
  root.addEventListener("dragstart", function (event) {
    const card = event.target.closest && event.target.closest(".board-card[draggable=true]");
    if (!card) return;
    dragging = card;
    card.classList.add("board-card-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.application);
  });
  root.addEventListener("dragend", function () {
    if (dragging) dragging.classList.remove("board-card-dragging");
    dragging = null;
    root.querySelectorAll(".board-drop").forEach(function (c) { c.classList.remove("board-drop"); });
  });
  root.addEventListener("dragover", function (event) {
    const col = event.target.closest && event.target.closest(".board-col");
    if (!dragging || !col || col.contains(dragging)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    root.querySelectorAll(".board-drop").forEach(function (c) { if (c !== col) c.classList.remove("board-drop"); });
    col.classList.add("board-drop");
  });
  root.addEventListener("dragleave", function (event) {
    const col = event.target.closest && event.target.closest(".board-col");
    if (col && !col.contains(event.relatedTarget)) col.classList.remove("board-drop");
  });
  root.addEventListener("drop", function (event) {
    const col = event.target.closest && event.target.closest(".board-col");
    if (!dragging || !col) return;
    event.preventDefault();
    col.classList.remove("board-drop");
    const card = dragging;
    dragging = null;
    card.classList.remove("board-card-dragging");
    if (!col.contains(card)) move(card, col.dataset.stage);
  });

  // Keyboard and forms: the card's "Move to…" menu, posted the same way.
  root.addEventListener("submit", function (event) {
    const form = event.target.closest(".board-move");
    if (!form) return;
    event.preventDefault();
    const card = form.closest(".board-card");
    const stageId = form.elements.stage.value;
    if (!stageId) { say("Choose the stage to move " + card.dataset.name + " to first.", true); form.elements.stage.focus(); return; }
    move(card, stageId);
  });
  // Enter on a focused card opens the application.
  root.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.classList && event.target.classList.contains("board-card")) {
      window.location.href = event.target.dataset.href;
    }
  });
})();

// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // "/" focuses the search box, as in most products people use daily.
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    const typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing) {
      const box = document.querySelector("[data-search]");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
  });

  // Bulk selection on the candidate list: show the bar and count the selection.
  function updateBulk(form) {
    const boxes = form.querySelectorAll("input[name=ids]");
    const chosen = Array.from(boxes).filter(function (b) { return b.checked; });
    const bar = form.querySelector("[data-bulkbar]");
    const count = form.querySelector("[data-bulkcount]");
    const all = form.querySelector("[data-selectall]");
    boxes.forEach(function (b) { b.closest("tr").classList.toggle("selected", b.checked); });
    if (bar) bar.classList.toggle("active", chosen.length > 0);
    if (count) count.textContent = chosen.length + (chosen.length === 1 ? " selected" : " selected");
    if (all) { all.checked = chosen.length === boxes.length && boxes.length > 0; all.indeterminate = chosen.length > 0 && chosen.length < boxes.length; }
  }
  document.addEventListener("change", function (event) {
    const form = event.target.closest("[data-bulkform]");
    if (!form) return;
    if (event.target.matches("[data-selectall]")) {
      form.querySelectorAll("input[name=ids]").forEach(function (b) { b.checked = event.target.checked; });
    }
    updateBulk(form);
  });
  // Forms that destroy something ask first (data-confirm="…").
  document.addEventListener("submit", function (event) {
    const question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-bulkform]").forEach(updateBulk);
    // Submit selects that say so (sorting) without a button press.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  });
})();

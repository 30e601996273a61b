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
  // Completions in the search box: field names, then their values
  // (skills, tags, pools, countries…). Arrows choose, Enter or Tab takes,
  // Escape closes; typing on is never blocked.
  function currentWord(input) {
    const upto = input.value.slice(0, input.selectionStart);
    const start = upto.search(/\S+$/);
    return start < 0 ? { start: upto.length, text: "" } : { start: start, text: upto.slice(start) };
  }
  function setupSuggest(input) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    let items = [], active = -1, timer = null, asked = 0;
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; input.removeAttribute("aria-activedescendant"); }
    function show() {
      list.innerHTML = "";
      items.forEach(function (item, i) {
        const li = document.createElement("li");
        li.id = "q-suggestion-" + i;
        li.setAttribute("role", "option");
        li.textContent = item.label;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); take(i); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }
    function mark(i) {
      active = i;
      Array.from(list.children).forEach(function (li, n) { li.setAttribute("aria-selected", n === i ? "true" : "false"); });
      if (i >= 0) input.setAttribute("aria-activedescendant", "q-suggestion-" + i);
    }
    function take(i) {
      const word = currentWord(input), item = items[i];
      const before = input.value.slice(0, word.start), after = input.value.slice(input.selectionStart);
      const space = item.value.endsWith(":") ? "" : " ";
      input.value = before + item.value + space + after.replace(/^\S*/, "");
      const caret = (before + item.value + space).length;
      input.setSelectionRange(caret, caret);
      close();
      if (item.value.endsWith(":")) ask();
    }
    function ask() {
      const word = currentWord(input).text;
      if (!word) { close(); return; }
      const ticket = ++asked;
      fetch(input.dataset.suggest + "?token=" + encodeURIComponent(word), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) { if (ticket === asked) { items = data.suggestions; show(); mark(-1); } })
        .catch(close);
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 120); });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("keydown", function (e) {
      if (list.hidden || !items.length) return;
      if (e.key === "ArrowDown") { e.preventDefault(); mark((active + 1) % items.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark((active - 1 + items.length) % items.length); }
      else if ((e.key === "Enter" || e.key === "Tab") && active >= 0) { e.preventDefault(); take(active); }
      else if (e.key === "Escape") { close(); }
    });
  }

  // A mail preview is as tall as the mail, so only the page scrolls. The
  // frame runs no scripts; being same-origin lets the page measure it.
  function fitMail(frame) {
    const doc = frame.contentDocument;
    if (!doc || !doc.documentElement) return;
    frame.style.height = "0";
    frame.style.height = doc.documentElement.scrollHeight + 2 + "px";
  }
  function fitAllMail() { document.querySelectorAll("iframe.mail-frame").forEach(fitMail); }
  document.addEventListener("load", function (event) {
    if (event.target.matches && event.target.matches("iframe.mail-frame")) fitMail(event.target);
  }, true);
  window.addEventListener("load", fitAllMail);
  let resizing = null;
  window.addEventListener("resize", function () { clearTimeout(resizing); resizing = setTimeout(fitAllMail, 150); });

  // Forms that destroy something ask first (data-confirm="…").
  document.addEventListener("submit", function (event) {
    const question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-bulkform]").forEach(updateBulk);
    document.querySelectorAll("input[data-suggest]").forEach(setupSuggest);
    // Submit selects that say so (sorting) without a button press.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  });
})();

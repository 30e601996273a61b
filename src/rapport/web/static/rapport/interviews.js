// Interview times in the reader's own time zone: the page says when an
// interview is in a zone it knows (the interview's); this rewrites each
// <time data-local> in the browser's zone and names it. Without script the
// page keeps the zone it was written in, which it names too.
(function () {
  "use strict";
  if (window.rapportLocalTimes) { window.rapportLocalTimes(document); return; }
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
  const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const sameDay = function (a, b) { return a.toDateString() === b.toDateString(); };

  function rewrite(root) {
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      const start = new Date(el.getAttribute("datetime"));
      if (isNaN(start)) return;
      const end = el.dataset.end ? new Date(el.dataset.end) : null;
      let text = dayFormat.format(start) + ", " + timeFormat.format(start);
      if (end && !isNaN(end)) {
        text += "–" + (sameDay(start, end) ? "" : dayFormat.format(end) + ", ") + timeFormat.format(end);
      }
      const bare = el.dataset.local === "bare";  // its zone is named beside it
      el.textContent = bare ? text : text + " ";
      el.removeAttribute("data-local");
      if (bare) return;
      const label = document.createElement("span");
      label.className = "muted";
      label.textContent = "(" + zone.replace(/_/g, " ") + ")";
      el.appendChild(label);
    });
    root.querySelectorAll("[data-local-zone]").forEach(function (el) {
      el.textContent = ", " + zone.replace(/_/g, " ");
      el.removeAttribute("data-local-zone");
    });
  }
  window.rapportLocalTimes = rewrite;
  document.addEventListener("htmx:afterSwap", function (event) { rewrite(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { rewrite(document); });
  } else {
    rewrite(document);
  }
})();

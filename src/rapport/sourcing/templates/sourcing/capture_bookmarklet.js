// The bookmarklet: runs in the profile page when clicked. It opens Rapport's
// capture window and, once that window says it is ready, hands it the page's
// HTML, addressed to Rapport's exact origin only. It holds no token and
// reads nothing back. Lines are joined into one; keep a semicolon at each end.
(function () {
  var rapport = {{ origin|safe }};
  var page = location.href;
  var html = document.documentElement.outerHTML.slice(0, {{ limit }});
  var popup = window.open({{ start|safe }} + "?url=" + encodeURIComponent(page), "_blank", "popup,width=640,height=820");
  if (!popup) { alert("Rapport: allow pop-up windows for this site, then click the bookmark again."); return; }
  function send(event) {
    if (event.source !== popup || event.origin !== rapport) return;
    if (!event.data || event.data.type !== "rapport:capture-ready") return;
    window.removeEventListener("message", send);
    popup.postMessage({ type: "rapport:capture-page", url: page, html: html }, rapport);
  }
  window.addEventListener("message", send);
})();

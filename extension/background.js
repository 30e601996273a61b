// Rapport capture: the toolbar button hands the page you are looking at to
// your Rapport's capture window.
//
// Clicking the button grants this extension the current tab, once
// ("activeTab"); it runs `sendPage` there and nothing else. `sendPage` opens
// the capture window and gives it the page's HTML with postMessage, aimed at
// your Rapport's exact origin. It runs in the extension's own isolated world,
// so the page's scripts cannot see it or change it, and nothing comes back
// from Rapport to the page. The extension keeps no token and sends nothing
// anywhere itself: the window is Rapport's page, signed in with your session.
"use strict";

// The most of a page that is sent, in characters, as the bookmarklet does.
const LIMIT = 2000000;

chrome.action.onClicked.addListener(async (tab) => {
  const { rapport } = await chrome.storage.sync.get("rapport");
  if (!rapport) {
    chrome.runtime.openOptionsPage();
    return;
  }
  try {
    await chrome.scripting.executeScript({
      target: { tabId: tab.id },
      func: sendPage,
      args: [rapport, LIMIT],
    });
    await chrome.action.setBadgeText({ tabId: tab.id, text: "" });
  } catch (error) {
    // Browser pages (chrome://…) and the extension gallery cannot be read.
    await chrome.action.setBadgeText({ tabId: tab.id, text: "!" });
    await chrome.action.setTitle({ tabId: tab.id, title: "Rapport cannot read this page: " + error.message });
  }
});

// Runs in the page. Keep it self-contained: it is serialised and injected.
function sendPage(rapport, limit) {
  const page = location.href;
  const html = document.documentElement.outerHTML.slice(0, limit);
  const start = rapport + "/capture/?url=" + encodeURIComponent(page);
  const popup = window.open(start, "_blank", "popup,width=640,height=820");
  if (!popup) {
    alert("Rapport: allow pop-up windows for this site, then click the button again.");
    return;
  }
  function send(event) {
    if (event.source !== popup || event.origin !== rapport) return;
    if (!event.data || event.data.type !== "rapport:capture-ready") return;
    window.removeEventListener("message", send);
    popup.postMessage({ type: "rapport:capture-page", url: page, html: html }, rapport);
  }
  window.addEventListener("message", send);
}

// Remembers the Rapport to send pages to: its origin only (scheme, host and
// port), which is also the exact origin the page's HTML is addressed to.
"use strict";

const form = document.getElementById("options");
const input = document.getElementById("rapport");
const status = document.getElementById("status");

function say(text, error) {
  status.textContent = text;
  status.className = error ? "error" : "";
}

chrome.storage.sync.get("rapport").then(({ rapport }) => {
  if (rapport) input.value = rapport;
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  let address;
  try {
    address = new URL(input.value.trim());
  } catch (error) {
    say("That is not an address: write it as https://rapport.example.com.", true);
    return;
  }
  if (address.protocol !== "https:" && address.protocol !== "http:") {
    say("Use an http or https address.", true);
    return;
  }
  await chrome.storage.sync.set({ rapport: address.origin });
  input.value = address.origin;
  say("Saved. Open a profile page and click the Rapport button in the toolbar.");
});

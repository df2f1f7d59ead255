// attest serve: small additions to pages that work without it.
// Drag and drop on the upload form; keyboard shortcuts where a page declares them.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const zone = document.querySelector("[data-drop]");
  if (zone) {
    const input = zone.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("over")));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        zone.requestSubmit();
      }
    });
  }
  // Keys declared as data-key="j" on links and buttons; never while typing in a field.
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target instanceof HTMLElement && target.closest("input, select, textarea")) return;
    const element = document.querySelector(`[data-key="${event.key}"]`);
    if (element instanceof HTMLElement) {
      event.preventDefault();
      if (element instanceof HTMLInputElement) {
        element.focus();
        element.select(); // typing replaces what was read
      } else if (element instanceof HTMLSelectElement) element.focus();
      else element.click();
    }
  });
});

// A print button for pages that have one: shown only when this script runs, so a
// page without scripts offers the keyboard hint instead. No inline script needed.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});

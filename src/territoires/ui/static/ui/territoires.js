// Send the CSRF token with every htmx request (no inline script: strict CSP).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});
// After an htmx swap, move focus to the first element marked data-focus, for screen readers.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target.querySelector("[data-focus]");
  if (target) { target.setAttribute("tabindex", "-1"); target.focus(); }
});

// ChainCRM page behaviour. Loaded as a static file: the CSP forbids inline script.
// Page data, where a page needs it, arrives in <script type="application/json"> blocks.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Ask before disabling a user or resetting a password.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();

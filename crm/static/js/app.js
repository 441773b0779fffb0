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

    // The navbar search's live dropdown: Escape or a click elsewhere closes it.
    var suggest = document.getElementById("nav-search-suggest");
    if (suggest) {
      var form = suggest.closest("form");
      var close = function () { suggest.innerHTML = ""; };
      form.addEventListener("keydown", function (event) { if (event.key === "Escape") { close(); } });
      document.addEventListener("click", function (event) { if (!form.contains(event.target)) { close(); } });
    }
  });
})();

// Company pages: the pickers and the location cascade. A static file: the CSP forbids inline script.
// htmx fills the result lists and the <option> lists; this file only copies a picked result into
// its form field and clears the lower levels of the cascade when a higher one changes.
(function () {
  "use strict";

  function fieldNamed(name) {
    return document.querySelector('[name="' + name + '"]:not([data-picker-input])');
  }

  function setLabel(id, text) {
    var label = id ? document.getElementById(id) : null;
    if (label) { label.textContent = text; }
  }

  // A click on a search result: copy its value into the field the result list serves.
  document.addEventListener("click", function (event) {
    var item = event.target.closest("[data-pick-value]");
    var box = item ? item.closest("[data-pick-for]") : null;
    if (!box) { return; }
    event.preventDefault();
    var input = fieldNamed(box.getAttribute("data-pick-for"));
    if (!input) { return; }
    input.value = item.getAttribute("data-pick-value");
    setLabel(box.getAttribute("data-pick-label"), item.getAttribute("data-pick-text"));
    box.replaceChildren();
    if (box.hasAttribute("data-pick-submit") && input.form) { input.form.requestSubmit(); }
  });

  // "Clear" next to a picked value.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick-clear]");
    if (!button) { return; }
    var input = fieldNamed(button.getAttribute("data-pick-clear"));
    if (input) { input.value = ""; }
    setLabel(button.getAttribute("data-pick-label"), "—");
  });

  // Enter in a search box must not submit anything: the results list is the way to choose.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-picker-input]")) { event.preventDefault(); }
  });

  // A new province empties the county list until a city is chosen (htmx refills the cities).
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-clears]");
    if (!select) { return; }
    select.getAttribute("data-clears").split(" ").forEach(function (id) {
      var target = document.getElementById(id);
      if (!target) { return; }
      while (target.options.length > 1) { target.remove(1); }
      target.selectedIndex = 0;
    });
  });
})();

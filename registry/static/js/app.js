/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim());
      button.classList.add("copied");
    }
  });
  /* A filter box above long selects (the county list): type a name, a city or a code. */
  Array.prototype.forEach.call(document.querySelectorAll("select[data-filterable]"), function (select) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "select-filter";
    input.placeholder = select.getAttribute("data-filter-placeholder") || "";
    input.setAttribute("aria-label", input.placeholder);
    input.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(input, select);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      var first = null;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var groupHit = (group.label || "").toLowerCase().indexOf(query) >= 0;
        var any = false;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var hit = !query || groupHit || option.textContent.toLowerCase().indexOf(query) >= 0;
          option.hidden = !hit;
          if (hit) { any = true; if (!first) { first = option; } }
        });
        group.hidden = !any;
      });
      if (query && first) { select.value = first.value; }
    });
  });

  /* Put the cursor in the first field that has an error. */
  var firstError = document.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (firstError) {
    firstError.focus({ preventScroll: false });
  }
})();

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
  /* Put the cursor in the first field that has an error. */
  var firstError = document.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (firstError) {
    firstError.focus({ preventScroll: false });
  }
})();

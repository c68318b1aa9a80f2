/* Schedule generation progress: polls the version's progress.json and reloads the page when the draft is ready
   (or the generation failed). Without JavaScript the page offers a refresh link instead. */
(function () {
  "use strict";
  var box = document.getElementById("generation");
  if (!box || box.getAttribute("data-running") !== "1") return;
  var url = box.getAttribute("data-url");
  var bar = document.getElementById("generation-bar");
  var count = document.getElementById("generation-count");
  var phase = document.getElementById("generation-phase");
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        if (s.total > 0) { bar.max = s.total; bar.value = s.done; }
        count.textContent = s.done + "/" + s.total;
        phase.textContent = s.phase;
        box.setAttribute("data-state", s.state);
        if (!s.running) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();

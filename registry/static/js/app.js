/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";
  /* The phone menu (base.html): the button folds the navigation and the user box open and shut. */
  var toggle = document.querySelector(".menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var bar = toggle.closest(".topbar");
      var open = !bar.classList.contains("open");
      bar.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
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

  /* A select whose options depend on another field (细分类型 on 行业, issue 16): data-options holds
     {labels: {code: label}, by_sector: {value: [codes]}, always: [codes]} from the server. */
  Array.prototype.forEach.call(document.querySelectorAll("select[data-depends-on]"), function (select) {
    var map;
    try { map = JSON.parse(select.getAttribute("data-options")); } catch (e) { return; }
    var form = select.form;
    var master = form && form.querySelector("[name='" + select.getAttribute("data-depends-on") + "']");
    if (!master) return;
    function rebuild() {
      var keep = select.value;
      var codes = map.always.concat(master.value ? (map.by_sector[master.value] || [])
                                                  : Object.keys(map.labels).filter(function (c) { return map.always.indexOf(c) < 0; }));
      select.innerHTML = "";
      var blank = document.createElement("option");
      blank.value = ""; blank.textContent = "—";
      select.appendChild(blank);
      codes.forEach(function (code) {
        var o = document.createElement("option");
        o.value = code; o.textContent = map.labels[code] || code;
        select.appendChild(o);
      });
      select.value = codes.indexOf(keep) >= 0 ? keep : "";
    }
    master.addEventListener("change", rebuild);
  });

  /* Put the cursor in the first field that has an error. */
  var firstError = document.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (firstError) {
    firstError.focus({ preventScroll: false });
  }
})();

/* The cascading region picker (issue 16): province → city → county, fed by /regions/children, with a search
   box fed by /regions/search. It enhances the text box rendered by macros/forms.html region_picker; without
   JavaScript that box takes a name or a 6-digit code and the server resolves it. */
(function () {
  "use strict";
  var cache = {};

  function getJSON(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) { return data.items || []; });
    }
    return cache[url];
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function setup(box) {
    var input = box.querySelector("input");
    if (!input || box.getAttribute("data-ready")) return;
    box.setAttribute("data-ready", "1");
    var d = box.dataset;
    var level = d.level || "";
    var root = d.root || "";
    var rootPath = d.rootPath ? d.rootPath.split(",") : [];
    var maxDepth = level === "city" ? 2 : level === "province" ? 1 : 3;
    var within = root ? "&within=" + encodeURIComponent(root) : "";
    var id = input.id;
    var current = box.querySelector(".region-current");
    if (current) current.remove();

    /* the chosen code travels in the original input, now hidden */
    input.type = "hidden";
    input.removeAttribute("id");
    input.removeAttribute("placeholder");

    var search = el("input", { type: "search", "class": "region-search", placeholder: d.lSearch || "",
                               "aria-label": d.lSearch || "", autocomplete: "off", id: id + "-search" });
    var results = el("ul", { "class": "region-results", role: "listbox", hidden: "" });
    var row = el("div", { "class": "region-selects" });
    if (root && d.rootLabel) row.appendChild(el("span", { "class": "region-root" }, d.rootLabel));
    box.insertBefore(search, input);
    box.insertBefore(results, input);
    box.insertBefore(row, input);
    var names = [d.lProvince, d.lCity, d.lCounty];
    var selects = [];
    var startDepth = rootPath.length;  /* the levels above and at the root are fixed */
    var label = document.querySelector("label[for='" + id + "']");

    var rootHolds = d.rootHolds === "1";

    function valueFromSelects() {
      var value = "";
      var holds = rootHolds;
      selects.forEach(function (s) {
        if (s.hidden || !s.value) return;
        value = s.value;
        holds = s.options[s.selectedIndex].getAttribute("data-holds") === "1";
      });
      if (!value) value = root;  /* nothing chosen below the root: the root itself */
      if (level === "enterprise" && !holds) value = "";  /* a county, or a city without counties */
      input.value = value;
    }

    function fill(depth, parent, selected) {
      var s = selects[depth];
      for (var i = depth; i < selects.length; i++) { selects[i].hidden = true; selects[i].innerHTML = ""; }
      if (depth >= maxDepth || (depth > 0 && !parent)) return Promise.resolve();
      return getJSON(d.childrenUrl + "?parent=" + encodeURIComponent(parent || "") + within).then(function (items) {
        if (level === "city" || level === "province") {
          items = items.filter(function (it) { return it.level !== "county"; });
        }
        if (!items.length) return;
        s.innerHTML = "";
        s.appendChild(el("option", { value: "" }, level === "" ? d.lAll : d.lChoose));
        items.forEach(function (it) {
          var o = el("option", { value: it.code, "data-holds": it.holds_enterprises ? "1" : "0",
                                 "data-children": it.has_children ? "1" : "0" }, it.name);
          if (it.code === selected) o.selected = true;
          s.appendChild(o);
        });
        s.hidden = false;
      });
    }

    for (var depth = 0; depth < 3; depth++) {
      var s = el("select", { id: id + "-" + depth, "aria-label": names[depth] || "", hidden: "" });
      if (depth < startDepth) { selects.push(s); continue; }
      (function (dd, sel) {
        sel.addEventListener("change", function () {
          var opt = sel.options[sel.selectedIndex];
          var next = opt && opt.getAttribute("data-children") === "1" ? sel.value : "";
          fill(dd + 1, next, "").then(valueFromSelects);
          valueFromSelects();
        });
      })(depth, s);
      selects.push(s);
      row.appendChild(s);
    }
    if (label && selects[startDepth]) label.htmlFor = id + "-" + startDepth;

    function showPath(path) {
      /* open every level along `path` (codes from the province down), from the root's depth on */
      var chain = Promise.resolve();
      for (var i = startDepth; i < 3; i++) {
        (function (depth) {
          chain = chain.then(function () {
            var parent = depth === 0 ? "" : path[depth - 1];
            if (depth > 0 && !parent) { return fill(depth, "", ""); }
            return fill(depth, parent, path[depth] || "");
          });
        })(i);
      }
      return chain.then(function () {
        selects.forEach(function (s, i) {  /* no level below the leaf */
          if (i > path.length) { s.hidden = true; s.innerHTML = ""; }
        });
        valueFromSelects();
      });
    }

    var initial = d.path ? d.path.split(",") : [];
    if (initial.length && rootPath.some(function (c, i) { return initial[i] !== c; })) initial = [];
    showPath(initial);

    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var q = search.value.trim();
      if (!q) { results.hidden = true; return; }
      timer = setTimeout(function () {
        var lv = level === "enterprise" ? "&level=enterprise" : (level ? "&level=" + level : "");
        getJSON(d.searchUrl + "?q=" + encodeURIComponent(q) + within + lv).then(function (items) {
          results.innerHTML = "";
          items.forEach(function (it) {
            var li = el("li", { role: "option" });
            var b = el("button", { type: "button", "class": "region-hit", "data-code": it.code },
                       it.label + " (" + it.code + ")");
            b.addEventListener("click", function () {
              results.hidden = true;
              search.value = "";
              showPath(it.path);
            });
            li.appendChild(b);
            results.appendChild(li);
          });
          results.hidden = !items.length;
        });
      }, 150);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {  /* Enter picks the first hit instead of submitting the form */
        event.preventDefault();
        var first = results.querySelector("button");
        if (first && !results.hidden) first.click();
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-region-picker]"), setup);
})();

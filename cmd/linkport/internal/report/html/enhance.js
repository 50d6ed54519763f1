(function () {
  "use strict";
  // Search, filter by kind and sort by name. Without JavaScript the page
  // shows everything, grouped by kind and sorted by name.
  var form = document.getElementById("controls");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.change"));
  if (form && rows.length) {
    var q = document.getElementById("q"), kind = document.getElementById("kind"),
      sort = document.getElementById("sort"), shown = document.getElementById("shown");
    var text = rows.map(function (r) { return r.textContent.toLowerCase(); });
    var groups = Array.prototype.slice.call(document.querySelectorAll("section.group"));
    var collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });
    var filter = function () {
      var needle = q.value.trim().toLowerCase(), k = kind.value, n = 0;
      rows.forEach(function (r, i) {
        var ok = (!k || r.getAttribute("data-kind") === k) && (!needle || text[i].indexOf(needle) >= 0);
        r.hidden = !ok;
        if (ok) { n++; }
      });
      groups.forEach(function (g) { g.hidden = !g.querySelector("tr.change:not([hidden])"); });
      shown.textContent = "showing " + n.toLocaleString("en") + " of " + rows.length.toLocaleString("en") + " changes";
    };
    var order = function () {
      var dir = sort.value === "desc" ? -1 : 1;
      Array.prototype.forEach.call(document.querySelectorAll("table.changes tbody"), function (tb) {
        var rs = Array.prototype.slice.call(tb.rows);
        rs.sort(function (a, b) { return dir * collator.compare(a.getAttribute("data-name"), b.getAttribute("data-name")); });
        rs.forEach(function (r) { tb.appendChild(r); });
      });
    };
    // The view lives in the address's #fragment, so it survives a reload
    // and can be bookmarked: #q=acme&kind=update&sort=desc.
    var save = function () {
      var p = new URLSearchParams();
      if (q.value) { p.set("q", q.value); }
      if (kind.value) { p.set("kind", kind.value); }
      if (sort.value !== "asc") { p.set("sort", sort.value); }
      location.replace("#" + p.toString());
    };
    var p = new URLSearchParams(location.hash.slice(1));
    q.value = p.get("q") || "";
    kind.value = p.get("kind") || "";
    if (kind.selectedIndex < 0) { kind.value = ""; }
    sort.value = p.get("sort") === "desc" ? "desc" : "asc";
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    q.addEventListener("input", function () { filter(); save(); });
    kind.addEventListener("change", function () { filter(); save(); });
    sort.addEventListener("change", function () { order(); save(); });
    if (sort.value === "desc") { order(); }
    filter();
    form.hidden = false;
  }
  document.documentElement.setAttribute("data-js", "ready");
})();

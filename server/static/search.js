/* kg search box: suggestions (people, keywords, journals) from /api/suggest as the visitor types.
   Same-origin requests only; no external assets. */
(function () {
  "use strict";
  function attach(input) {
    var form = input.form, list = document.createElement("ul"), timer = null, last = "";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    form.appendChild(list);
    input.setAttribute("aria-autocomplete", "list");
    function clear() { list.innerHTML = ""; list.hidden = true; }
    function show(items) {
      list.innerHTML = "";
      items.forEach(function (item) {
        var li = document.createElement("li"), a = document.createElement("a"), kind = document.createElement("span");
        li.setAttribute("role", "option");
        a.href = item.page || (form.action + "?q=" + encodeURIComponent(item.label));
        a.textContent = item.label;
        if (item.lang) { a.lang = item.lang; a.dir = item.lang === "fa" ? "rtl" : "ltr"; }
        kind.className = "kind-" + item.kind;
        kind.textContent = " · " + (input.dataset["kind" + item.kind[0].toUpperCase() + item.kind.slice(1)] || item.kind);
        li.appendChild(a);
        li.appendChild(kind);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
    }
    function ask() {
      var q = input.value.trim();
      if (q === last) { return; }
      last = q;
      if (q.length < 2) { clear(); return; }
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) { if (input.value.trim() === q) { show(data.suggestions || []); } })
        .catch(function () { clear(); });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 120); });
    input.addEventListener("keydown", function (e) { if (e.key === "Escape") { clear(); } });
    document.addEventListener("click", function (e) { if (!form.contains(e.target)) { clear(); } });
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form.search input[data-suggest]"), attach);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

/* The query page: run the query with fetch, show SELECT/ASK results as a table and graphs as text,
   and offer download links in every format. The editor is YASQE (vendored in static/yasqe/, see its
   SOURCE.md) over the form's textarea, which it keeps in step, so the form works without it; nothing is
   loaded from elsewhere: prefix completion uses the site's own prefixes, not prefix.cc. */
(function () {
  "use strict";

  var form = document.getElementById("query-form");
  var endpoint = form.getAttribute("action");
  // results name things by their minted IRIs; a link to one opens this server's page of it
  var minted = (form.getAttribute("data-minted") || "").replace(/\/+$/, "");
  var local = (form.getAttribute("data-local") || "").replace(/\/+$/, "");
  var editor = document.getElementById("query");
  var statusLine = document.getElementById("status");
  var output = document.getElementById("output");
  var downloads = document.getElementById("downloads");
  var description = document.getElementById("example-description");
  var examples = JSON.parse(document.getElementById("examples-data").textContent);
  var prefixes = JSON.parse(document.getElementById("prefixes-data").textContent);
  var yasqe = null;  // the YASQE editor over the textarea, when its script loaded

  function queryText() { return yasqe ? yasqe.getValue() : editor.value; }

  function setQuery(text) {
    editor.value = text;
    if (yasqe) { yasqe.setValue(text); }
  }

  function startEditor() {
    if (typeof window.Yasqe !== "function") { return; }
    var Yasqe = window.Yasqe;
    var completions = Object.keys(prefixes).sort().map(function (p) { return p + ": <" + prefixes[p] + ">"; });
    Yasqe.forkAutocompleter("prefixes", {
      name: "localPrefixes",
      persistenceId: null,
      get: function () { return Promise.resolve(completions); }
    }, false);
    // set, not merged: lodash's merge of the config would keep the LOV completers, which call another host
    Yasqe.defaults.autocompleters = ["localPrefixes", "variables"];
    var holder = document.createElement("div");
    holder.id = "editor";
    editor.parentNode.insertBefore(holder, editor);
    yasqe = new Yasqe(holder, {
      value: editor.value,
      persistenceId: null,
      consumeShareLink: null,
      createShareableLink: null,
      showQueryButton: false,
      resizeable: true,
      editorHeight: "22rem",
      extraKeys: {
        "Ctrl-Enter": function () { run(); },
        "Cmd-Enter": function () { run(); },
        "Ctrl-Space": "autocomplete",
        "Tab": function (cm) { cm.replaceSelection("  "); }
      }
    });
    yasqe.on("change", function () { editor.value = yasqe.getValue(); });
    editor.hidden = true;
    document.body.classList.add("with-editor");
  }

  var SOLUTION_DOWNLOADS = [["json", "JSON"], ["xml", "XML"], ["csv", "CSV"], ["tsv", "TSV"]];
  var GRAPH_DOWNLOADS = [["turtle", "Turtle"], ["ntriples", "N-Triples"], ["jsonld", "JSON-LD"],
                         ["rdfxml", "RDF/XML"], ["nquads", "N-Quads"]];

  function queryForm(text) {
    // the first keyword after the prologue (comments, strings and IRIs stripped well enough for a hint)
    var stripped = text.replace(/#[^\n]*/g, " ").replace(/<[^>\s]*>/g, " ").replace(/"[^"]*"|'[^']*'/g, " ");
    var match = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(stripped);
    return match ? match[1].toUpperCase() : "SELECT";
  }

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function localLink(iri) {
    if (minted && local && (iri.indexOf(minted + "/id/") === 0 || iri.indexOf(minted + "/graph/") === 0)) {
      return local + iri.slice(minted.length);
    }
    return iri;
  }

  function termNode(term) {
    if (!term) { return el("span", "", "unbound"); }
    if (term.type === "uri") {
      var link = el("a", term.value, "iri");
      link.href = localLink(term.value);
      return link;
    }
    if (term.type === "bnode") { return el("span", "_:" + term.value, "bnode"); }
    if (term.type === "triple") {
      var span = el("span", "<< ", "triple");
      ["subject", "predicate", "object"].forEach(function (part) {
        span.appendChild(termNode(term.value[part]));
        span.appendChild(document.createTextNode(" "));
      });
      span.appendChild(document.createTextNode(">>"));
      return span;
    }
    var literal = el("bdi", term.value, "literal");
    if (term["xml:lang"]) {
      // the value in its own direction (Persian right-to-left), the tag after it, outside the isolate
      var lang = term["xml:lang"];
      literal.setAttribute("lang", lang);
      literal.setAttribute("dir", /^(fa|ar|he|ur|ps|ckb)(-|$)/i.test(lang) ? "rtl" : "auto");
      var wrapper = el("span", null, "tagged");
      wrapper.appendChild(literal);
      wrapper.appendChild(el("span", "@" + lang, "tag"));
      return wrapper;
    }
    if (term.datatype) {
      var typed = el("span");
      typed.appendChild(literal);
      typed.appendChild(el("span", "^^" + term.datatype.replace("http://www.w3.org/2001/XMLSchema#", "xsd:"), "tag"));
      return typed;
    }
    return literal;
  }

  function showTable(data) {
    var vars = data.head.vars || [];
    var rows = data.results.bindings;
    var table = el("table", null, "results");
    var head = table.createTHead().insertRow();
    vars.forEach(function (name) { head.appendChild(el("th", "?" + name)); });
    var body = table.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      vars.forEach(function (name) { tr.insertCell().appendChild(termNode(row[name])); });
    });
    output.appendChild(table);
    return rows.length;
  }

  function setDownloads(text, form) {
    clear(downloads);
    downloads.appendChild(document.createTextNode("Download: "));
    var formats = (form === "CONSTRUCT" || form === "DESCRIBE") ? GRAPH_DOWNLOADS : SOLUTION_DOWNLOADS;
    formats.forEach(function (pair, index) {
      var link = el("a", pair[1], "download");
      link.href = endpoint + "?query=" + encodeURIComponent(text) + "&format=" + pair[0];
      link.setAttribute("download", "results." + pair[0]);
      if (index) { downloads.appendChild(document.createTextNode(" · ")); }
      downloads.appendChild(link);
    });
    downloads.hidden = false;
  }

  function run() {
    var text = queryText();
    editor.value = text;
    var form = queryForm(text);
    var graph = form === "CONSTRUCT" || form === "DESCRIBE";
    var accept = graph ? "text/turtle" : "application/sparql-results+json";
    clear(output);
    downloads.hidden = true;
    statusLine.className = "status running";
    statusLine.textContent = "Running…";
    var started = performance.now();
    var body = new URLSearchParams();
    body.set("query", text);
    fetch(endpoint, {method: "POST", headers: {"Accept": accept}, body: body})
      .then(function (response) {
        return response.text().then(function (payload) { return [response, payload]; });
      })
      .then(function (pair) {
        var response = pair[0], payload = pair[1];
        var seconds = ((performance.now() - started) / 1000).toFixed(2);
        if (!response.ok) {
          statusLine.className = "status error";
          statusLine.textContent = "Error " + response.status + ": " + payload;
          return;
        }
        setDownloads(text, form);
        statusLine.className = "status ok";
        if (graph) {
          output.appendChild(el("pre", payload, "graph"));
          statusLine.textContent = "Graph result in " + seconds + " s.";
          return;
        }
        var data = JSON.parse(payload);
        if (typeof data.boolean === "boolean") {
          output.appendChild(el("p", String(data.boolean), "boolean"));
          statusLine.textContent = "ASK answered in " + seconds + " s.";
          return;
        }
        var count = showTable(data);
        statusLine.textContent = count + (count === 1 ? " row" : " rows") + " in " + seconds + " s.";
      })
      .catch(function (error) {
        statusLine.className = "status error";
        statusLine.textContent = "The request failed: " + error;
      });
  }

  document.getElementById("query-form").addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.id === "download") { return; }  // a plain GET download
    event.preventDefault();
    run();
  });

  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    } else if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault();
      var start = editor.selectionStart, end = editor.selectionEnd;
      editor.value = editor.value.slice(0, start) + "  " + editor.value.slice(end);
      editor.selectionStart = editor.selectionEnd = start + 2;
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll("button.example"), function (button) {
    button.addEventListener("click", function () {
      var key = button.getAttribute("data-key");
      examples.forEach(function (example) {
        if (example.key === key) {
          setQuery(example.query.replace(/^\n+/, ""));
          description.textContent = example.description;
        }
      });
      run();
    });
  });

  if (!editor.value.trim() && examples.length) {
    editor.value = examples[0].query.replace(/^\n+/, "");
    description.textContent = examples[0].description;
    startEditor();
  } else if (editor.value.trim()) {
    startEditor();
    run();  // opened with ?query=...: show its results
  } else {
    startEditor();
  }
}());

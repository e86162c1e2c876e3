// exitaudit batch page: filter, search and page the runs table from the page's own JSON data.
// Every value from the data is set with textContent, never parsed as markup.
"use strict";
(function () {
  var PAGE = 100;
  var data = JSON.parse(document.getElementById("runs-data").textContent);
  var runs = data.runs, dated = data.dated, body = document.getElementById("runs-body");
  var fVerdict = document.getElementById("f-verdict"), fTool = document.getElementById("f-tool");
  var fStep = document.getElementById("f-step"), fSearch = document.getElementById("f-search");
  var count = document.getElementById("f-count"), pageLabel = document.getElementById("page");
  var page = 0, shown = runs;
  var CLS = data.classes, SYM = {error: "\u2716", warning: "\u25B2", info: "\u2139", ok: "\u2714", none: "\u25CB"};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function haystack(r) {
    var parts = [r[0], r[3], r[4] || "unreadable", r[6] || ""];
    r[7].forEach(function (f) { parts.push(f[2], f[5], f[3] || ""); });
    return parts.join("\n").toLowerCase();
  }
  runs.forEach(function (r) { r.push(haystack(r)); });

  function finding(f) {
    var box = el("div", "finding " + f[0]);
    var head = el("p");
    head.appendChild(el("span", "badge " + f[0], f[0]));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(el("strong", null, f[1]));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(el("code", null, f[2]));
    if (f[3]) head.appendChild(el("span", "muted", " [" + f[3] + "]"));
    if (f[4]) head.appendChild(el("span", "muted", " line " + f[4]));
    box.appendChild(head);
    box.appendChild(el("p", null, f[5]));
    if (f[6].length) {
      var ex = el("div", "excerpt"), t = el("table");
      f[6].forEach(function (e) {
        var tr = el("tr", "hit");
        tr.appendChild(el("td", "ln", e[0]));
        tr.appendChild(el("td", null, e[1]));
        t.appendChild(tr);
      });
      ex.appendChild(t);
      box.appendChild(ex);
    }
    return box;
  }
  function row(r) {
    var tr = el("tr"), src = el("td", "src");
    if (r[1]) { var a = el("a", null, r[0]); a.setAttribute("href", r[1]); src.appendChild(a); }
    else src.appendChild(document.createTextNode(r[0]));
    if (r[7].length || r[6]) {
      var d = el("details"), s = el("summary", null, r[7].length + " finding(s)" + (r[6] ? ": unreadable" : ""));
      d.appendChild(s);
      // Findings are built when the row is opened: a page of 100 rows stays light.
      d.addEventListener("toggle", function once() {
        d.removeEventListener("toggle", once);
        if (r[6]) d.appendChild(el("p", null, r[6]));
        r[7].forEach(function (f) { d.appendChild(finding(f)); });
      });
      src.appendChild(d);
    }
    tr.appendChild(src);
    if (dated) tr.appendChild(el("td", null, r[2] || ""));
    tr.appendChild(el("td", null, r[3]));
    var v = el("td"), cls = CLS[r[4] || ""] || "error";
    v.appendChild(el("span", "badge " + cls, SYM[cls] + " " + (r[4] || "unreadable")));
    tr.appendChild(v);
    tr.appendChild(el("td", null, r[5]));
    tr.appendChild(el("td", "num", r[7].length));
    return tr;
  }
  function render() {
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    if (page >= pages) page = pages - 1;
    var frag = document.createDocumentFragment();
    shown.slice(page * PAGE, (page + 1) * PAGE).forEach(function (r) { frag.appendChild(row(r)); });
    body.replaceChildren(frag);
    count.textContent = shown.length + " of " + runs.length + " runs";
    pageLabel.textContent = "page " + (page + 1) + " of " + pages;
  }
  function apply() {
    var v = fVerdict.value, t = fTool.value, st = fStep ? fStep.value : "", q = fSearch.value.trim().toLowerCase();
    shown = runs.filter(function (r) {
      if (v && (r[4] || "unreadable") !== v) return false;
      if (t && (" " + r[3] + " ").indexOf(" " + t + " ") < 0) return false;
      if (st && !r[7].some(function (f) { return f[3] === st; })) return false;
      return !q || r[8].indexOf(q) >= 0;
    });
    page = 0;
    render();
  }
  [fVerdict, fTool, fStep].forEach(function (s) { if (s) s.addEventListener("change", apply); });
  fSearch.addEventListener("input", apply);
  document.getElementById("prev").addEventListener("click", function () { if (page > 0) { page--; render(); } });
  document.getElementById("next").addEventListener("click", function () { page++; render(); });
  document.getElementById("controls").classList.remove("hidden");
  document.getElementById("pager").classList.remove("hidden");
  document.getElementById("static-note").classList.add("hidden");
  apply();
})();

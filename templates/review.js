// Review mode: a reviewer's decisions (pair, unpair, checked, note) made in the page, kept in local storage
// (keyed by both plans' sha256), exported as a compare-decisions/1 file, imported back. No document text is
// ever read as markup: everything shown goes through textContent.
(function () {
  "use strict";
  var bar = document.getElementById("review-bar");
  if (!bar) { return; }
  var S = JSON.parse(bar.getAttribute("data-strings"));
  var head = JSON.parse(bar.getAttribute("data-head"));
  var order = JSON.parse(bar.getAttribute("data-order"));
  var base = bar.getAttribute("data-decisions");  // the decisions this report was built with (compare run --decisions)
  var key = bar.getAttribute("data-key");
  var toggle = document.getElementById("review-mode");
  var status = document.getElementById("review-status");
  var list = document.getElementById("decision-list");
  var panel = document.getElementById("decisions");
  var countLine = document.getElementById("review-count");
  var copyBox = document.getElementById("review-copy-box");
  var each = function (selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); };
  var rank = { a: {}, b: {} };
  order.a.forEach(function (n, i) { rank.a[n] = i; });
  order.b.forEach(function (n, i) { rank.b[n] = i; });

  var pairs = Array.prototype.slice.call(document.querySelectorAll("details.pair"));
  var pairOf = { a: {}, b: {} };  // section name -> the pair element showing it
  pairs.forEach(function (el) {
    el.names = JSON.parse(el.getAttribute("data-names") || '{"a":[],"b":[]}');
    ["a", "b"].forEach(function (s) { el.names[s].forEach(function (n) { pairOf[s][n] = el; }); });
  });
  var heat = document.querySelector("svg.heatmap");
  var heatNames = heat ? JSON.parse(heat.getAttribute("data-names") || "{}") : {};

  var decisions = load();
  var selection = { a: [], b: [] };

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return values.hasOwnProperty(k) ? String(values[k]) : m; });
  }
  function say(text) { status.textContent = text; }
  function sorted(side, names) {
    return names.slice().sort(function (x, y) { return (rank[side][x] || 0) - (rank[side][y] || 0); });
  }
  function same(x, y) { return x.length === y.length && x.every(function (n) { return y.indexOf(n) >= 0; }); }
  function overlaps(x, y) { return x.some(function (n) { return y.indexOf(n) >= 0; }); }
  function roleOf(side, name) { return pairOf[side][name] ? pairOf[side][name].getAttribute("data-role") : ""; }

  function valid(d) {
    var names = function (v) { return Array.isArray(v) && v.every(function (n) { return typeof n === "string"; }); };
    return d && ["pair", "unpair", "checked"].indexOf(d.action) >= 0 && names(d.a) && names(d.b);
  }
  function clean(d) {
    var out = { action: d.action, a: d.a.slice(), b: d.b.slice() };
    if (d.note) { out.note = String(d.note); }
    return out;
  }
  function load() {
    var given = JSON.parse(base);
    try {
      var stored = JSON.parse(window.localStorage.getItem(key) || "null");
      if (stored && Array.isArray(stored.decisions) && (stored.base === base || !given.length)) {
        return stored.decisions.filter(valid).map(clean);
      }
    } catch (e) { /* storage unavailable or damaged: start from the report's own decisions */ }
    return given.filter(valid).map(clean);
  }
  function save() {
    try { window.localStorage.setItem(key, JSON.stringify({ base: base, decisions: decisions })); } catch (e) { /* best effort */ }
  }

  // Decisions on these sections that a new pair or check replaces: the latest decision wins.
  function claim(a, b) {
    decisions = decisions.filter(function (d) {
      if (d.action === "unpair") { return !(overlaps(d.a, a) && overlaps(d.b, b)); }
      return !(overlaps(d.a, a) || overlaps(d.b, b));
    });
  }
  function covering(el) {
    return decisions.filter(function (d) { return overlaps(d.a, el.names.a) || overlaps(d.b, el.names.b); });
  }

  function pairSelection() {
    var a = sorted("a", selection.a), b = sorted("b", selection.b);
    if (!a.length || !b.length) { say(S.status_need_both); return; }
    var roles = {};
    a.forEach(function (n) { roles[roleOf("a", n)] = 1; });
    b.forEach(function (n) { roles[roleOf("b", n)] = 1; });
    if (Object.keys(roles).length > 1) { say(S.status_roles); return; }
    claim(a, b);
    decisions.push({ action: "pair", a: a, b: b });
    selection = { a: [], b: [] };
    commit(S.status_paired);
  }
  function pairNearest(el, near) {  // an alone section and the other plan's nearest, as one reviewer's pair
    var side = near.getAttribute("data-nearest-side"), name = near.getAttribute("data-nearest-name");
    var a = side === "b" ? el.names.a.slice() : [name], b = side === "b" ? [name] : el.names.b.slice();
    if (roleOf("a", a[0]) !== roleOf("b", b[0])) { say(S.status_roles); return; }
    claim(a, b);
    decisions.push({ action: "pair", a: a, b: b });
    commit(S.status_paired);
  }
  function unpair(el) {
    var mine = decisions.filter(function (d) { return d.action !== "unpair" && (overlaps(d.a, el.names.a) || overlaps(d.b, el.names.b)); });
    if (mine.length) {  // a reviewer's own pair: unpairing it removes the decision
      decisions = decisions.filter(function (d) { return mine.indexOf(d) < 0; });
      commit(S.status_removed);
      return;
    }
    if (!el.names.a.length || !el.names.b.length) { return; }
    var had = decisions.filter(function (d) { return d.action === "unpair" && same(d.a, el.names.a) && same(d.b, el.names.b); });
    decisions = decisions.filter(function (d) { return had.indexOf(d) < 0; });
    if (!had.length) { decisions.push({ action: "unpair", a: el.names.a.slice(), b: el.names.b.slice() }); }
    commit(had.length ? S.status_removed : S.status_unpaired);
  }
  function check(el) {
    var exact = decisions.filter(function (d) { return d.action !== "unpair" && same(d.a, el.names.a) && same(d.b, el.names.b); })[0];
    if (exact && exact.action === "checked") { decisions.splice(decisions.indexOf(exact), 1); commit(S.status_removed); return; }
    if (exact) { exact.action = "checked"; commit(S.status_checked); return; }
    claim(el.names.a, el.names.b);
    decisions.push({ action: "checked", a: el.names.a.slice(), b: el.names.b.slice() });
    commit(S.status_checked);
  }
  function note(el) {
    var d = covering(el)[0];
    var text = window.prompt(S.note_prompt, d && d.note ? d.note : "");
    if (text === null) { return; }
    text = text.trim();
    if (!d) { claim(el.names.a, el.names.b); d = { action: "checked", a: el.names.a.slice(), b: el.names.b.slice() }; decisions.push(d); }
    if (text) { d.note = text; } else { delete d.note; }
    commit("");
  }

  function pick(side, names) {
    var all = names.every(function (n) { return selection[side].indexOf(n) >= 0; });
    names.forEach(function (n) {
      var at = selection[side].indexOf(n);
      if (all && at >= 0) { selection[side].splice(at, 1); }
      else if (!all && at < 0) { selection[side].push(n); }
    });
    showSelection();
  }
  function showSelection() {
    ["a", "b"].forEach(function (s) {
      document.getElementById("review-sel-" + s).textContent = selection[s].length ? sorted(s, selection[s]).join("、") : S.nothing;
    });
    each(".sec.selected", function (el) { el.classList.remove("selected"); });
    ["a", "b"].forEach(function (s) {
      each("details.pair .col-" + s + " .sec[data-name]", function (el) {
        if (selection[s].indexOf(el.getAttribute("data-name")) >= 0) { el.classList.add("selected"); }
      });
    });
  }

  // The counts as they stand with the decisions: a decision takes its sections out of the tool's pairs.
  function recount() {
    var model = pairs.map(function (el) { return { a: el.names.a.slice(), b: el.names.b.slice(), kind: el.getAttribute("data-kind") }; });
    function alone(m) {  // a pair that lost one side leaves its other side's sections on their own
      if (m.a.length && m.b.length) { return [m]; }
      return m.a.map(function (n) { return { a: [n], b: [], kind: "only_a" }; })
        .concat(m.b.map(function (n) { return { a: [], b: [n], kind: "only_b" }; }));
    }
    decisions.forEach(function (d) {
      var next = [];
      model.forEach(function (m) {
        var both = m.a.length && m.b.length;
        if (d.action === "unpair") {
          var ia = m.a.filter(function (n) { return d.a.indexOf(n) >= 0; }), ib = m.b.filter(function (n) { return d.b.indexOf(n) >= 0; });
          if (!both || !ia.length || !ib.length) { next.push(m); return; }
          var takeA = m.a.length >= m.b.length, takeB = m.b.length >= m.a.length;
          var rest = { a: takeA ? m.a.filter(function (n) { return ia.indexOf(n) < 0; }) : m.a,
                       b: takeB ? m.b.filter(function (n) { return ib.indexOf(n) < 0; }) : m.b, kind: m.kind };
          next = next.concat(alone(rest), alone({ a: takeA ? ia : [], b: [] }), alone({ a: [], b: takeB ? ib : [] }));
          return;
        }
        if (both && same(m.a, d.a) && same(m.b, d.b)) { next.push(m); d.kept = true; return; }
        var left = { a: m.a.filter(function (n) { return d.a.indexOf(n) < 0; }), b: m.b.filter(function (n) { return d.b.indexOf(n) < 0; }), kind: m.kind };
        next = next.concat(both ? alone(left) : alone({ a: left.a, b: left.b }));
      });
      if (d.action !== "unpair" && !d.kept) { next = next.concat(alone({ a: d.a, b: d.b, kind: "reviewer" })); }
      delete d.kept;
      model = next.filter(function (m) { return m.a.length || m.b.length; });
    });
    // The header counts units (articles, measures); headings are counted apart, as the report counts them.
    var heading = {};
    pairs.forEach(function (el) {
      if (!el.classList.contains("role-container")) { return; }
      el.names.a.forEach(function (n) { heading["a:" + n] = true; });
      el.names.b.forEach(function (n) { heading["b:" + n] = true; });
    });
    var counts = { paired: 0 };
    model.forEach(function (m) {
      if (m.a.length ? heading["a:" + m.a[0]] : heading["b:" + m.b[0]]) { return; }
      var k = m.a.length && m.b.length ? m.kind : (m.a.length ? "only_a" : "only_b");
      counts[k] = (counts[k] || 0) + 1;
      if (m.a.length && m.b.length) { counts.paired += 1; }
    });
    each(".counts li", function (li, i) {
      var kind = (li.className.match(/\bk-(\w+)/) || [])[1] || (i === 0 ? "paired" : null);
      var b = li.querySelector("b");
      if (kind && b) { b.textContent = String(counts[kind] || 0); }
      if (kind === "reviewer") { li.hidden = !counts.reviewer; }
    });
  }

  function badge(el, text, cls) {
    var span = document.createElement("span");
    span.className = "decided-badge " + cls;
    span.textContent = text;
    var label = el.querySelector("summary .pair-label");
    label.parentNode.insertBefore(span, label.nextSibling);
  }
  function render() {
    each(".decided-badge", function (el) { el.parentNode.removeChild(el); });
    pairs.forEach(function (el) { el.classList.remove("r-pair", "r-unpair", "r-checked"); });
    decisions.forEach(function (d) {
      var shown = [];
      ["a", "b"].forEach(function (s) { d[s].forEach(function (n) { var el = pairOf[s][n]; if (el && shown.indexOf(el) < 0) { shown.push(el); } }); });
      shown.forEach(function (el) {
        var exact = same(el.names.a, d.a) && same(el.names.b, d.b);
        var text;
        if (d.action === "unpair") { text = overlaps(el.names.a, d.a) && overlaps(el.names.b, d.b) ? S.badge_unpair_pending : S.badge_unpair; }
        else if (exact) { text = d.action === "checked" ? "✓ " + S.badge_checked : S.badge_pair; }
        else {
          var other = d.a.filter(function (n) { return el.names.a.indexOf(n) < 0; }).map(function (n) { return S.selected_a + n; })
            .concat(d.b.filter(function (n) { return el.names.b.indexOf(n) < 0; }).map(function (n) { return S.selected_b + n; }));
          text = fmt(S.badge_pair_pending, { other: other.join("、") });
        }
        el.classList.add(d.action === "unpair" ? "r-unpair" : (exact && d.action === "checked" ? "r-checked" : "r-pair"));
        badge(el, text + (d.note ? S.note_sep + d.note : ""), "d-" + d.action);
      });
    });
    list.textContent = "";
    decisions.forEach(function (d, i) {
      var li = document.createElement("li");
      var text = document.createElement("span");
      text.textContent = S["action." + d.action] + " · " + S.selected_a + (d.a.join("、") || S.nothing) + " ↔ " + S.selected_b + (d.b.join("、") || S.nothing) + (d.note ? " · " + d.note : "");
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = S.remove;
      remove.addEventListener("click", function () { decisions.splice(i, 1); commit(S.status_removed); });
      li.appendChild(text);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(remove);
      list.appendChild(li);
    });
    if (!decisions.length) { var none = document.createElement("li"); none.textContent = S.none; list.appendChild(none); }
    panel.hidden = !decisions.length && !panel.querySelector(".stale-decisions") && !toggle.checked;
    countLine.hidden = !decisions.length;
    var one = decisions.length === 1 && countLine.getAttribute("data-template-one");  // absent from an older custom template
    countLine.textContent = fmt(one || countLine.getAttribute("data-template"), { n: decisions.length });
    recount();
    showSelection();
  }
  function commit(message) { save(); render(); say(message); }

  function fileText() {
    var data = { format: head.format, a: head.a, b: head.b, decisions: decisions.map(clean) };
    return JSON.stringify(data, null, 1) + "\n";
  }
  function copy() {
    var text = fileText();
    function manual() {
      copyBox.hidden = false;
      copyBox.value = text;
      copyBox.focus();
      copyBox.select();
      say(S.status_copy_manual);
    }
    try {
      navigator.clipboard.writeText(text).then(function () { say(S.status_copied); }, manual);
    } catch (e) { manual(); }
  }
  function exportFile() {
    var name = bar.getAttribute("data-file");
    try {
      var url = URL.createObjectURL(new Blob([fileText()], { type: "application/json" }));
      var a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
      window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      say(fmt(S.status_exported, { file: name }));
    } catch (e) { copy(); }  // blocked (a stricter policy or browser): the clipboard is the fallback
  }
  function importText(text) {
    var data;
    try { data = JSON.parse(text); } catch (e) { say(fmt(S.status_import_bad, { why: e.message })); return; }
    if (!data || data.format !== head.format || !Array.isArray(data.decisions)) {
      say(fmt(S.status_import_bad, { why: "format " + JSON.stringify(data && data.format) })); return;
    }
    decisions = data.decisions.filter(valid).map(clean);
    var other = ["a", "b"].some(function (s) { return data[s] && data[s].sha256 && data[s].sha256 !== head[s].sha256; });
    commit(fmt(S.status_imported, { n: decisions.length }) + (other ? " " + S.status_other_plans : ""));
  }

  function tools(el) {  // the review buttons of a pair, made when review mode first opens (they would only weigh the page)
    var span = document.createElement("span");
    span.className = "review-tools";
    function button(cls, label, side) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = cls;
      b.textContent = label;
      if (side) { b.setAttribute("data-side", side); b.title = S.pick_title; }
      span.appendChild(b);
    }
    if (el.names.a.length) { button("r-pick", S.pick_a, "a"); }
    if (el.names.b.length) { button("r-pick", S.pick_b, "b"); }
    if (el.names.a.length && el.names.b.length) { button("r-unpair", S.unpair); }
    var near = el.querySelector("summary .nearest-link");
    if (near) { button("r-nearest", S.pair_nearest); span.lastChild.title = S.pair_nearest_title; }
    button("r-check", S.check);
    button("r-note", S.note);
    var summary = el.querySelector("summary");
    summary.insertBefore(span, summary.querySelector(".view-toggle"));
    span.addEventListener("click", function (event) {
      var b = event.target.closest("button");
      if (!b) { return; }
      event.preventDefault();  // a button in the summary must not open or close the pair
      if (b.classList.contains("r-pick")) { pick(b.getAttribute("data-side"), el.names[b.getAttribute("data-side")]); }
      else if (b.classList.contains("r-unpair")) { unpair(el); }
      else if (b.classList.contains("r-nearest")) { pairNearest(el, near); }
      else if (b.classList.contains("r-check")) { check(el); }
      else if (b.classList.contains("r-note")) { note(el); }
    });
    return span;
  }

  function setMode(on) {
    if (on) { pairs.forEach(function (el) { if (!el.querySelector(".review-tools")) { tools(el); } }); }
    toggle.checked = on;
    bar.hidden = !on;
    document.body.classList.toggle("reviewing", on);
    each(".review-tools", function (el) { el.hidden = !on; });
    render();
  }
  function currentPair() {
    var active = document.activeElement && document.activeElement.closest ? document.activeElement.closest("details.pair") : null;
    if (active) { return active; }
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (target && target.classList.contains("pair") && !target.hidden) {
      var r = target.getBoundingClientRect();
      if (r.bottom > 0 && r.top < window.innerHeight) { return target; }
    }
    return pairs.filter(function (p) { return !p.hidden && p.getBoundingClientRect().bottom > 60; })[0] || null;
  }

  toggle.addEventListener("change", function () { setMode(toggle.checked); });
  document.getElementById("review-pair").addEventListener("click", pairSelection);
  document.getElementById("review-clear").addEventListener("click", function () { selection = { a: [], b: [] }; showSelection(); });
  document.getElementById("review-export").addEventListener("click", exportFile);
  document.getElementById("review-copy").addEventListener("click", copy);
  document.getElementById("review-import").addEventListener("change", function (event) {
    var file = event.target.files && event.target.files[0];
    if (!file) { return; }
    var reader = new FileReader();
    reader.onload = function () { importText(String(reader.result)); event.target.value = ""; };
    reader.readAsText(file);
  });
  // In review mode a click on a contents entry, a section heading or a heatmap cell picks, instead of jumping.
  document.addEventListener("click", function (event) {
    if (!toggle.checked || !event.target.closest) { return; }
    var entry = event.target.closest(".toc-entry");
    var heading = event.target.closest("details.pair .sec[data-name] h3");
    var cell = event.target.closest("svg.heatmap a.cell");
    if (entry) {
      var el = document.getElementById(entry.getAttribute("data-for"));
      if (el) { pick(el.names.a.length ? "a" : "b", el.names.a.length ? el.names.a : el.names.b); }
    } else if (heading) {
      var sec = heading.parentNode.closest(".sec");
      pick(sec.closest(".col-a") ? "a" : "b", [sec.getAttribute("data-name")]);
    } else if (cell && heatNames.a) {
      var ij = cell.getAttribute("data-ij").split(",");
      pick("a", [heatNames.a[+ij[0]]]);
      pick("b", [heatNames.b[+ij[1]]]);
    } else { return; }
    event.preventDefault();
  }, true);
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (event.ctrlKey || event.metaKey || event.altKey || tag === "INPUT" || tag === "TEXTAREA") { return; }
    if (event.key === "r") { setMode(!toggle.checked); return; }
    if (!toggle.checked) { return; }
    var el = currentPair();
    if (event.key === "Escape") { selection = { a: [], b: [] }; showSelection(); }
    else if (event.key === "m") { pairSelection(); }
    else if ((event.key === "a" || event.key === "b") && el && el.names[event.key].length) { pick(event.key, el.names[event.key]); }
    else if (event.key === "u" && el) { unpair(el); }
    else if (event.key === "x" && el) { check(el); }
  });

  if (decisions.length) { render(); }
}());

(function () {
  "use strict";
  var pairs = Array.prototype.slice.call(document.querySelectorAll("details.pair"));
  var kindBoxes = Array.prototype.slice.call(document.querySelectorAll("input[data-filter-kind]"));
  var minScore = document.getElementById("min-score");
  var forceOnly = document.getElementById("force-only");
  var minOut = document.getElementById("min-score-out");
  var visibleCount = document.getElementById("visible-count");
  var tocEntries = {};
  Array.prototype.forEach.call(document.querySelectorAll(".toc-entry"), function (li) { tocEntries[li.getAttribute("data-for")] = li; });

  function applyFilters() {
    var kinds = {};
    kindBoxes.forEach(function (box) { if (box.checked) { kinds[box.getAttribute("data-filter-kind")] = true; } });
    var threshold = parseFloat(minScore.value);
    var shown = 0;
    pairs.forEach(function (pair) {
      var kind = pair.getAttribute("data-kind");
      var oneSided = kind === "only_a" || kind === "only_b";
      var visible = !!kinds[kind] && (oneSided || parseFloat(pair.getAttribute("data-score")) >= threshold);
      if (forceOnly && forceOnly.checked && !pair.querySelector(".force-badge")) { visible = false; }
      pair.hidden = !visible;
      if (tocEntries[pair.id]) { tocEntries[pair.id].hidden = !visible; }
      if (visible) { shown += 1; }
    });
    minOut.textContent = threshold.toFixed(2);
    showCount(shown);
  }

  function showCount(shown) {
    var template = visibleCount.getAttribute("data-template") || "{shown} / {total}";
    visibleCount.textContent = template.replace("{shown}", String(shown)).replace("{total}", String(pairs.length));
  }

  // The sticky controls grow when they wrap or when review mode adds its bar: the contents column and
  // every card scrolled to sit below them (CSS reads --bar).
  var controls = document.querySelector(".controls");
  function barHeight() { return controls ? controls.getBoundingClientRect().height : 0; }
  function measureBar() { document.documentElement.style.setProperty("--bar", Math.ceil(barHeight()) + "px"); }
  if (controls && window.ResizeObserver) { new ResizeObserver(measureBar).observe(controls); }
  window.addEventListener("resize", measureBar);
  measureBar();

  function changes() {
    return pairs.filter(function (p) { return !p.hidden && p.getAttribute("data-kind") !== "same"; });
  }

  // A card that step() goes to sits this far from the window's top: just below the sticky controls.
  function anchor() { return barHeight() + 8; }

  var lastId = null;  // the card step() went to last: near the page's end it cannot reach the anchor
  function step(direction) {
    var list = changes();
    if (!list.length) { return; }
    var line = anchor();
    var atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
    var last = list.map(function (p) { return p.id; }).indexOf(lastId);
    var index = -1;
    if (atEnd && last >= 0 && list[last].getBoundingClientRect().top > line + 2) {
      index = Math.max(0, Math.min(list.length - 1, last + direction));  // below the anchor: count on from it
    } else if (direction > 0) {
      for (var i = 0; i < list.length; i++) { if (list[i].getBoundingClientRect().top > line + 2) { index = i; break; } }
      if (index < 0) { index = list.length - 1; }
    } else {
      for (var j = list.length - 1; j >= 0; j--) { if (list[j].getBoundingClientRect().top < line - 2) { index = j; break; } }
      if (index < 0) { index = 0; }
    }
    list[index].open = true;
    lastId = list[index].id;
    window.scrollTo(0, window.scrollY + list[index].getBoundingClientRect().top - line);
    if (history.replaceState) { history.replaceState(null, "", "#" + list[index].id); }
  }

  function setAll(open) { pairs.forEach(function (p) { p.open = open; }); }

  kindBoxes.forEach(function (box) { box.addEventListener("change", applyFilters); });
  minScore.addEventListener("input", applyFilters);
  if (forceOnly) { forceOnly.addEventListener("change", applyFilters); }
  document.getElementById("next-change").addEventListener("click", function () { step(1); });
  document.getElementById("prev-change").addEventListener("click", function () { step(-1); });
  document.getElementById("expand-all").addEventListener("click", function () { setAll(true); });
  document.getElementById("collapse-all").addEventListener("click", function () { setAll(false); });

  Array.prototype.forEach.call(document.querySelectorAll("button.view-toggle"), function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var pair = document.getElementById(button.getAttribute("data-for"));
      var toShared = pair.classList.contains("show-diff");
      pair.classList.toggle("show-diff", !toShared);
      pair.classList.toggle("show-shared", toShared);
      button.textContent = button.getAttribute(toShared ? "data-to-diff" : "data-to-shared");
    });
  });

  // A link to a card the filters hide (a heatmap cell, a move link) shows it, counts it and scrolls to it:
  // the browser did not scroll, as the card was hidden when the address changed.
  function revealTarget() {
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (!target || !target.classList.contains("pair")) { return; }
    var wasHidden = target.hidden;
    target.hidden = false;
    target.open = true;
    if (tocEntries[target.id]) { tocEntries[target.id].hidden = false; }
    if (wasHidden) {
      showCount(pairs.filter(function (p) { return !p.hidden; }).length);
      target.scrollIntoView({ block: "start" });
    }
  }
  window.addEventListener("hashchange", revealTarget);
  // A second click on a link to the card already in the address fires no hashchange: reveal it all the same
  // (a filter may have hidden it again since).
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a") : null;
    var href = link && (link.getAttribute("href") || link.getAttribute("xlink:href"));
    if (href && href.charAt(0) === "#" && href === location.hash) {
      setTimeout(function () {
        var target = document.getElementById(href.slice(1));
        var hidden = target && target.hidden;
        revealTarget();
        if (target && !hidden) { target.scrollIntoView({ block: "start" }); }
      }, 0);
    }
  });

  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (event.ctrlKey || event.metaKey || event.altKey || tag === "INPUT" || tag === "TEXTAREA") { return; }
    if (event.key === "n" || event.key === "j") { step(1); }
    else if (event.key === "p" || event.key === "k") { step(-1); }
    else if (event.key === "e") { setAll(true); }
    else if (event.key === "c") { setAll(false); }
  });
  window.addEventListener("beforeprint", function () {
    setAll(true);
    Array.prototype.forEach.call(document.querySelectorAll("#preambles details"), function (d) { d.open = true; });
  });

  applyFilters();
  revealTarget();
}());

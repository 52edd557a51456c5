// The heatmap: the process diagram (bpmn-js, served from npm) with each user task coloured by
// its median duration and the number of cases there now; a click lists those cases. The
// figures come from the table on the page (data-* attributes), so chart and table agree.
(function () {
  "use strict";
  var el = document.getElementById("bpmn-canvas");
  if (!el || !window.BpmnJS) { return; }
  var rows = document.querySelectorAll("tr[data-element]");
  var stats = {};
  rows.forEach(function (row) {
    stats[row.dataset.element] = {
      level: row.dataset.level, open: parseInt(row.dataset.open || "0", 10),
      median: row.dataset.median, href: row.querySelector("a").getAttribute("href"),
      name: row.querySelector("a").textContent
    };
  });
  var viewer = new window.BpmnJS({ container: el });
  fetch(el.dataset.src, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      var overlays = viewer.get("overlays");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      var svg = el.querySelector("svg");
      if (svg && el.dataset.label) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", el.dataset.label);
      }
      Object.keys(stats).forEach(function (id) {
        var s = stats[id];
        var shape = registry.get(id);
        if (!shape) { return; }
        canvas.addMarker(id, s.level === "" ? "heat-none" : "heat-" + s.level);
        canvas.addMarker(id, "heat-clickable");
        var badge = document.createElement("a");
        badge.className = "heat-badge" + (s.open ? " has-open" : "");
        badge.href = s.href;
        badge.textContent = s.open + (s.median !== "–" ? " · " + s.median + " d" : "");
        // the visible text first in the name (WCAG 2.5.3), then what it means
        badge.setAttribute("aria-label", badge.textContent + ": " + s.name + " (zaken nu · mediaan in dagen)");
        overlays.add(id, { position: { top: -12, right: 60 }, html: badge });
      });
      viewer.on("element.click", function (event) {
        var s = stats[event.element.id];
        if (s) { window.location.href = s.href; }
      });
      el.dataset.loaded = "true";
    })
    .catch(function (err) {
      el.dataset.loaded = "error";
      el.textContent = "Het diagram kon niet worden geladen (" + err + ").";
    });
})();

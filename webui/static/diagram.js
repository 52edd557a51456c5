// Show the case's BPMN diagram with bpmn-js (served from npm, no CDN) and mark where it stands.
(function () {
  "use strict";
  var el = document.getElementById("bpmn-canvas");
  if (!el || !window.BpmnJS) { return; }
  var viewer = new window.BpmnJS({ container: el });
  fetch(el.dataset.src, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      var svg = el.querySelector("svg");
      if (svg && el.dataset.label) {
        // The SVG takes keyboard focus (arrow keys pan): give it a role and a name.
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", el.dataset.label);
        svg.setAttribute("aria-describedby", "diagram-hint");
      }
      var ids = (el.dataset.highlight || "").split(" ").filter(Boolean);
      ids.forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "current-position"); }
      });
      var current = ids.length ? registry.get(ids[0]) : null;
      if (current) {
        // readable size, centred on where the case stands (drag and scroll to see the rest)
        canvas.zoom(1.0);
        var box = canvas.viewbox();
        canvas.viewbox({
          x: current.x + current.width / 2 - box.width / 2,
          y: current.y + current.height / 2 - box.height / 2,
          width: box.width,
          height: box.height
        });
      }
      el.dataset.loaded = "true";
    })
    .catch(function (err) {
      el.dataset.loaded = "error";
      el.textContent = "Het diagram kon niet worden geladen (" + err + ").";
    });
})();

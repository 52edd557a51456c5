// A deployed version read-only (bpmn-js viewer from npm), with what changed since the version
// before marked on the diagram.
(function () {
  "use strict";
  var el = document.getElementById("bpmn-canvas");
  var source = document.getElementById("diagram-xml");
  if (!el || !source || !window.BpmnJS) { return; }
  var viewer = new window.BpmnJS({ container: el });
  viewer.importXML(source.value)
    .then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      (el.dataset.changes || "").split(" ").filter(Boolean).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "diff-changed"); }
      });
      var svg = el.querySelector("svg");
      if (svg) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", el.dataset.label || ""); }
      el.dataset.loaded = "true";
    })
    .catch(function (err) {
      el.dataset.loaded = "error";
      el.textContent = "Het diagram kon niet worden getoond (" + err.message + ").";
    });
})();

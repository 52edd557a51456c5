// The case's BPMN diagram (bpmn-js from npm, no CDN): fitted to its frame, with zoom and fit
// buttons and keyboard panning; the path the case took is green, where it stands is yellow, and
// the end a finished case reached is circled. Collapsed subprocesses open with their arrow;
// their elements carry the same colours.
(function () {
  "use strict";
  var el = document.getElementById("bpmn-canvas");
  if (!el || !window.BpmnJS) { return; }
  var tools = document.querySelector(".diagram-tools");
  // keyboard: bpmn-js binds it to the focused diagram itself (arrow keys pan, Ctrl +/- zoom)
  var viewer = new window.BpmnJS({ container: el });
  var list = function (name) { return (el.dataset[name] || "").split(" ").filter(Boolean); };

  // an expanded subprocess holds other elements: it gets a frame, not a fill
  var CONTAINER = { "path-taken": "taken-container", "current-position": "current-container" };
  function isContainer(element) {
    return element.type === "bpmn:SubProcess" && element.children && element.children.length > 0;
  }

  function mark(canvas, registry, ids, marker) {
    ids.forEach(function (id) {
      var element = registry.get(id);
      if (!element) { return; }
      canvas.addMarker(id, isContainer(element) && CONTAINER[marker] ? CONTAINER[marker] : marker);
    });
  }

  function markFlows(canvas, registry, done, current) {
    // a sequence flow was taken when it leads from a passed element to a passed or current one
    var reached = {};
    done.concat(current).forEach(function (id) { reached[id] = true; });
    var passed = {};
    done.forEach(function (id) { passed[id] = true; });
    registry.filter(function (e) { return e.type === "bpmn:SequenceFlow"; }).forEach(function (flow) {
      if (flow.source && flow.target && passed[flow.source.id] && reached[flow.target.id]) {
        canvas.addMarker(flow.id, "path-taken");
      }
    });
  }

  function showElement(canvas, element) {
    if (element.businessObject && element.parent && element.parent.type === "bpmn:SubProcess" &&
        canvas.findRoot) {
      var root = canvas.findRoot(element);
      if (root && root !== canvas.getRootElement()) { canvas.setRootElement(root); }
    }
    canvas.zoom(1.0);
    var box = canvas.viewbox();
    canvas.viewbox({
      x: element.x + element.width / 2 - box.width / 2,
      y: element.y + element.height / 2 - box.height / 2,
      width: box.width, height: box.height
    });
  }

  fetch(el.dataset.src, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      var done = list("done"), current = list("highlight"), ended = list("ended");
      var zoomBy = function (factor) {
        // from a twentieth (a big process fitted on a phone) up to four times
        canvas.zoom(Math.min(4, Math.max(0.02, canvas.zoom() * factor)));
      };
      mark(canvas, registry, done, "path-taken");
      markFlows(canvas, registry, done, current);
      mark(canvas, registry, current, "current-position");
      mark(canvas, registry, ended, "end-reached");
      canvas.zoom("fit-viewport", "auto");
      var svg = el.querySelector("svg");
      if (svg && el.dataset.label) {
        // The SVG takes keyboard focus (arrow keys pan): give it a role and a name.
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", el.dataset.label);
        svg.setAttribute("aria-describedby", "diagram-hint");
      }
      if (tools) {
        tools.hidden = false;
        tools.addEventListener("click", function (event) {
          var button = event.target.closest("button[data-zoom]");
          if (!button) { return; }
          var what = button.dataset.zoom;
          if (what === "fit") { canvas.zoom("fit-viewport", "auto"); }
          else if (what === "current") {
            // the innermost current step: a task, not the subprocess around it
            var found = current.map(function (id) { return registry.get(id); })
              .filter(Boolean);
            var first = found.filter(function (e) { return !isContainer(e); })[0] || found[0];
            if (first) { showElement(canvas, first); }
          } else { zoomBy(what === "in" ? 1.25 : 0.8); }
          el.dataset.zoom = String(Math.round(canvas.zoom() * 100));
        });
      }
      if (svg) {
        // plain keys as the hint says (bpmn-js itself wants Ctrl with the arrows)
        svg.addEventListener("keydown", function (event) {
          if (event.ctrlKey || event.metaKey || event.altKey) { return; }
          var pan = { ArrowLeft: [60, 0], ArrowRight: [-60, 0], ArrowUp: [0, 60], ArrowDown: [0, -60] };
          var step = event.shiftKey ? 4 : 1;
          if (pan[event.key]) {
            canvas.scroll({ dx: pan[event.key][0] * step, dy: pan[event.key][1] * step });
          } else if (event.key === "+" || event.key === "=") { zoomBy(1.25); }
          else if (event.key === "-") { zoomBy(0.8); }
          else if (event.key === "0") { canvas.zoom("fit-viewport", "auto"); }
          else { return; }
          event.preventDefault();
          el.dataset.zoom = String(Math.round(canvas.zoom() * 100));
        });
      }
      el.dataset.zoom = String(Math.round(canvas.zoom() * 100));
      el.dataset.loaded = "true";
    })
    .catch(function (err) {
      el.dataset.loaded = "error";
      el.textContent = (el.dataset.error || "Het diagram kon niet worden geladen.") + " (" + err + ")";
    });
})();

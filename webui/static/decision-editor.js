// A DMN decision table in dmn-js (from npm, no CDN); every change is saved on the server.
(function () {
  "use strict";
  var root = document.getElementById("dmn-editor");
  if (!root || !window.DmnJS) { return; }
  var status = document.getElementById("save-status");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var revision = parseInt(root.dataset.revision, 10);
  var modeler = new window.DmnJS({ container: root });
  var timer = null;
  window.wegwijsDmn = modeler;

  function save() {
    modeler.saveXML({ format: true }).then(function (result) {
      return fetch(root.dataset.saveUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ file: root.dataset.file, text: result.xml, revision: revision })
      });
    }).then(function (r) { return r.json().then(function (a) { return { ok: r.ok, answer: a }; }); })
      .then(function (res) {
        if (!res.ok) { throw new Error(res.answer.message || "Opslaan mislukt."); }
        revision = res.answer.revision;
        status.textContent = "Opgeslagen (concept-versie " + revision + ").";
      })
      .catch(function (err) { status.textContent = err.message; });
  }

  modeler.importXML(document.getElementById("dmn-xml").value).then(function () {
    var view = modeler.getViews().filter(function (v) { return v.type === "decisionTable"; })[0];
    if (view) { return modeler.open(view); }
  }).then(function () {
    root.dataset.loaded = "true";
    var active = modeler.getActiveViewer();
    active.get("eventBus").on("elements.changed", function () {
      status.textContent = "Niet opgeslagen wijzigingen…";
      clearTimeout(timer);
      timer = setTimeout(save, 1000);
    });
  }).catch(function (err) {
    root.dataset.loaded = "error";
    status.textContent = "De beslistabel kon niet worden geopend: " + err.message;
  });
})();

// The form editor: the JSON Schema on the left, on the right the page a casist will see,
// rendered by the server with the task page's own field template as you type.
(function () {
  "use strict";
  var root = document.getElementById("form-editor");
  if (!root) { return; }
  var text = document.getElementById("schema-text");
  var preview = document.getElementById("form-preview");
  var status = document.getElementById("save-status");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var revision = parseInt(root.dataset.revision, 10);
  var timer = null;
  var key = "wegwijs-form-" + root.dataset.saveUrl + root.dataset.file;

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    });
  }

  function refresh() {
    post(root.dataset.previewUrl, { text: text.value })
      .then(function (r) { return r.text(); })
      .then(function (html) { preview.innerHTML = html; preview.dataset.updated = String(Date.now()); });
  }

  text.addEventListener("input", function () {
    localStorage.setItem(key, JSON.stringify({ revision: revision, text: text.value }));
    status.textContent = "Niet opgeslagen wijzigingen…";
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });

  document.getElementById("save-form").addEventListener("click", function () {
    status.textContent = "Opslaan…";
    post(root.dataset.saveUrl, { file: root.dataset.file, text: text.value, revision: revision })
      .then(function (r) { return r.json().then(function (a) { return { ok: r.ok, answer: a }; }); })
      .then(function (res) {
        if (!res.ok) { throw new Error(res.answer.message || "Opslaan mislukt."); }
        revision = res.answer.revision;
        localStorage.removeItem(key);
        status.textContent = "Opgeslagen (concept-versie " + revision + ").";
      })
      .catch(function (err) { status.textContent = err.message + " Uw tekst staat nog hier."; });
  });

  var stored = JSON.parse(localStorage.getItem(key) || "null");
  if (stored && stored.revision === revision && stored.text !== text.value) {
    text.value = stored.text;
    status.textContent = "Niet opgeslagen wijzigingen uit deze browser teruggezet.";
    refresh();
  }
})();

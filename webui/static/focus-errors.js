// Move keyboard focus (and the view) to the error summary after a failed submit, so it is
// seen and read out first, wherever on the page the form is.
(function () {
  "use strict";
  var summary = document.querySelector("[data-focus-on-load]") || document.getElementById("error-summary");
  if (summary) {
    summary.scrollIntoView({ block: "center" });
    summary.focus({ preventScroll: true });
  }
})();

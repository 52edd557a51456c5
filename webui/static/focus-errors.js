// Move keyboard focus to the error summary after a failed submit, so it is read out first.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();

// The error summary of a rejected form (templates/includes/error_summary.html): the page opens on it, with
// the focus in it, and each of its links brings its field into view below the sticky bar and focuses it.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  // The summary is at the top of the page, where a page sent back opens: focusing it scrolls only if it
  // is out of view, and its scroll-margin (static/css/caretrack.css) keeps it clear of the sticky bar.
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-error-link]");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var wrapper = field.closest(".mb-3, fieldset, .form-check") || field;
    wrapper.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
    if (window.history && history.replaceState) { history.replaceState(null, "", link.getAttribute("href")); }
  });
})();

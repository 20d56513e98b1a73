// CareTrack: the small page actions that used to be inline handlers, wired by data- attributes, so that the
// Content-Security-Policy can refuse every inline script. Loaded on every page by templates/base.html.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print], [data-confirm], #fill-suggested");
    if (!target) return;
    // 打印 on the contact cards.
    if (target.hasAttribute("data-print")) { window.print(); return; }
    // Deleting asks first; the answer "no" keeps the form from being sent.
    if (target.hasAttribute("data-confirm")) {
      if (!window.confirm(target.dataset.confirm)) { event.preventDefault(); }
      return;
    }
    // 结对: fills each empty choice with the proposal (nobody over the limit); the coordinator reviews, then
    // saves. The server re-checks every limit, and saves all rows or none.
    if (target.id === "fill-suggested") {
      document.querySelectorAll("select[data-suggested]").forEach(function (s) {
        if (!s.value && s.dataset.suggested) { s.value = s.dataset.suggested; }
      });
    }
  });
  // A term or class chooser reloads its page as soon as it changes.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) { select.form.submit(); }
  });
  // A double tap must not submit a form twice: once the form is sent, its submit buttons marked data-once
  // (or all of them, in a form marked data-submit-once) are disabled. The server also refuses duplicates.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var selector = form.hasAttribute("data-submit-once") ? "button[type=submit], button:not([type])" : "button[data-once]";
    form.querySelectorAll(selector).forEach(function (b) {
      setTimeout(function () { b.disabled = true; if (b.hasAttribute("data-once")) { b.textContent = "正在保存…"; } }, 0);
    });
  });
})();

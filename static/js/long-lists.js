// CareTrack: long lists on a phone. Loaded only by the 新建结对 and activity forms; wired by data- attributes.
// Without JavaScript both pages still work: the 新建结对 search is a GET form, and the activity form adds
// whole grades and classes with its check boxes.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  // --- 新建结对: search as you type --------------------------------------------------------------------
  // The GET form [data-child-picker="<url>"] asks the server for the short list of matching children (an
  // HTML fragment of radio options) and puts it in [data-picker-target]; the child already chosen stays.
  document.querySelectorAll("form[data-child-picker]").forEach(function (form) {
    var target = document.querySelector(form.dataset.pickerTarget);
    if (!target) return;
    var button = form.querySelector("[data-picker-submit]");
    if (button) { button.hidden = true; }  // results follow the typing; Enter still searches
    var latest = 0;

    function refresh() {
      var params = new URLSearchParams(new FormData(form));
      params.delete("child");
      var ticket = ++latest;
      fetch(form.dataset.childPicker + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
        .then(function (html) {
          if (ticket !== latest) return;  // an older answer arriving late
          var checked = target.querySelector("input[name=child]:checked");
          var keep = checked ? checked.closest("label") : null;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var results = doc.querySelector("[data-picker-results]");
          target.replaceChildren(document.adoptNode(results));
          if (keep) {
            var same = target.querySelector('input[name=child][value="' + checked.value + '"]');
            if (same) { same.checked = true; return; }
            var heading = document.createElement("div");
            heading.className = "small text-muted mt-2";
            heading.textContent = "已选择";
            var group = document.createElement("div");
            group.className = "list-group mb-1";
            group.appendChild(keep);
            keep.querySelector("input").checked = true;
            results.prepend(heading, group);
          }
        })
        .catch(function () { /* the list stays as it was; the search button works without this */ });
    }

    var typed = debounce(refresh, 250);
    form.addEventListener("input", function (event) { if (event.target.type === "search") { typed(); } });
    form.addEventListener("change", function (event) { if (event.target.type !== "search") { refresh(); } });
    form.addEventListener("submit", function (event) { event.preventDefault(); refresh(); });
  });
})();

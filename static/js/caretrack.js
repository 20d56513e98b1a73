// CareTrack: small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Work-place selects: choosing a province reloads the cities, choosing a city reloads the counties.
  document.querySelectorAll("select[data-region-target]").forEach(function (select) {
    select.addEventListener("change", function () {
      var form = select.closest("form");
      var target = form && form.querySelector('[name="' + select.dataset.regionTarget + '"]');
      if (!target) return;
      var level = target.name.endsWith("work_city") ? "city" : "county";
      var url = form.dataset.regionUrl + "?level=" + level + "&parent=" + encodeURIComponent(select.value);
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
        target.innerHTML = html;
        if (level === "city") {
          // A municipality has no cities: its districts hang under the province.
          var county = form.querySelector('[name="' + target.dataset.regionTarget + '"]');
          if (county) {
            fetch(form.dataset.regionUrl + "?level=county&parent=" + encodeURIComponent(select.value), { credentials: "same-origin" })
              .then(function (r) { return r.text(); }).then(function (h) { county.innerHTML = h; });
          }
        }
      });
    });
  });
  // Submit buttons marked data-once are disabled once their form is sent: static/js/page-actions.js.
})();

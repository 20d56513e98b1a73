// CareTrack: 删除 on a photo waiting on the activity or 家访 form (templates/activities/_pending_photos.html,
// templates/mentoring/_pending_visit_photos.html) takes it off the form at once, without sending the form;
// the server attaches only the photos still named.
// Without this script the button sends the form, and the server drops the photo and saves nothing.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pending-remove]");
    if (!button) return;
    event.preventDefault();
    var tile = button.closest("[data-pending-photo]");
    if (tile) { tile.remove(); }
  });
})();

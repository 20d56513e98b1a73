// CareTrack with a weak signal, on every page (templates/base.html): registers the service worker
// (static/js/sw.js, served at /sw.js), shows "待发送 N 条" in the header from the outbox
// (static/js/outbox-store.js), sends the outbox when the connection returns, drops the drafts and outbox
// entries the server confirmed, and clears the cached pages when the teacher logs out.
(function () {
  "use strict";
  var PAGE_CACHE = "caretrack-pages"; // the same name in static/js/sw.js
  var DRAFT_PREFIX = "caretrack:draft:"; // + user + ":" + child:kind[:log]; static/js/drafts.js writes them
  var body = document.body;
  var user = body.dataset.user;
  var outbox = window.CareTrackOutbox;

  function forgetPages() {
    return window.caches ? caches.delete(PAGE_CACHE).catch(function () {}) : Promise.resolve();
  }

  if (!user) {
    // Logged out (the login page, also after a session expired): whoever logs in next must not be shown
    // the previous teacher's pages from the cache. Their drafts and outbox stay, under their user id.
    forgetPages();
    return;
  }

  window.CareTrackOffline = {
    draftKey: function (form) { return DRAFT_PREFIX + user + ":" + form.dataset.draft; },
  };

  if ("serviceWorker" in navigator && window.isSecureContext && body.dataset.serviceWorker) {
    navigator.serviceWorker.register(body.dataset.serviceWorker, { scope: "/" }).catch(function () {});
  }

  // Logging out: forget the cached pages first, then log out as the form would.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-logout]")) return;
    event.preventDefault();
    forgetPages().then(function () { form.submit(); });
  });

  // The server saved what a phone sent with this key (the message of the saved log carries it).
  function forgetSaved(key) {
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var name = localStorage.key(i);
      if (!name || name.indexOf(DRAFT_PREFIX + user + ":") !== 0) continue;
      try {
        if (JSON.parse(localStorage.getItem(name)).key === key) localStorage.removeItem(name);
      } catch (e) { /* not ours */ }
    }
    if (outbox) outbox.remove(key).catch(function () {});
  }
  document.querySelectorAll("[data-message-tags]").forEach(function (el) {
    var match = /saved-key-([0-9a-f-]{36})/.exec(el.dataset.messageTags);
    if (match) forgetSaved(match[1]);
  });

  if (!outbox || !window.indexedDB) return;

  var badge = document.getElementById("outbox-badge");
  var rejectedNote = document.getElementById("outbox-rejected");

  function render() {
    return outbox.forUser(user).then(function (entries) {
      var rejected = entries.filter(function (e) { return e.status === "rejected"; });
      if (badge) {
        badge.hidden = entries.length === 0;
        badge.textContent = "待发送 " + entries.length + " 条";
        badge.title = navigator.onLine === false ? "当前没有网络，恢复后自动发送" : "正在等待发送";
      }
      if (rejectedNote) {
        rejectedNote.hidden = rejected.length === 0;
        if (rejected.length) {
          var first = rejected[0];
          rejectedNote.textContent = "";
          var link = document.createElement("a");
          link.href = first.url + "#outbox=" + first.key;
          link.className = "alert-link";
          link.textContent = rejected.length + " 条未能发送，请打开修改";
          rejectedNote.appendChild(link);
          if (first.title) rejectedNote.appendChild(document.createTextNode("（" + first.title + "）"));
        }
      }
      return entries;
    }).catch(function () { return []; });
  }

  // What the outbox sent is said once: the server's own "已保存" went to the request that sent it.
  function tellSent(results) {
    if (!results || !results.saved || !rejectedNote) return;
    var note = document.getElementById("outbox-sent") || document.createElement("div");
    note.id = "outbox-sent";
    note.className = "alert alert-success py-2";
    note.setAttribute("role", "status");
    note.textContent = "已发送 " + results.saved + " 条待发送的记录。";
    rejectedNote.parentNode.insertBefore(note, rejectedNote.nextSibling);
  }

  function flush() {
    if (navigator.onLine === false) return Promise.resolve();
    return outbox.flush(user).then(function (results) { tellSent(results); return render(); }, render);
  }
  window.CareTrackOffline.render = render;
  window.CareTrackOffline.flush = flush;

  if (typeof BroadcastChannel !== "undefined") {
    new BroadcastChannel(outbox.CHANNEL).onmessage = function () { render(); };
  }
  window.addEventListener("online", function () { render(); flush(); });
  window.addEventListener("offline", render);
  // On every page load: whatever is waiting goes now if it can (browsers without Background Sync).
  render().then(function (entries) {
    if (entries.some(function (e) { return e.status !== "rejected"; })) flush();
  });
})();

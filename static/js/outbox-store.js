// CareTrack offline outbox: logs saved on the phone while there was no connection, kept in IndexedDB
// until the server confirms them. Works in a page (static/js/offline.js shows the count and sends on
// 'online') and in the service worker (static/js/sw.js sends on Background Sync): self.CareTrackOutbox.
//
// An entry: {key, user, url, title, fields: [[name, string | File]], createdAt, status, errors, claimedAt,
// attempts}
// with status "pending" (waiting for a connection) or "rejected" (the server refused it: the teacher
// opens the form again from the notice, fixes it and saves). Nothing is ever dropped without the
// server's "saved" for its key (the form's client_key: a repeat is answered as saved, with no second log).
(function (scope) {
  "use strict";
  var DB_NAME = "caretrack-outbox";
  var STORE = "entries";
  var CHANNEL = "caretrack-outbox";
  var CLAIM_MS = 60 * 1000; // an entry being sent by another tab or the worker is left alone this long
  var config = scope.CARETRACK || {};
  var LOGIN_PATH = config.loginUrl || "/accounts/login/";

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Runs `work(store)` in one transaction; resolves with what work's last request produced.
  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result;
        work(tx.objectStore(STORE), function (value) { result = value; });
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function announce() {
    if (typeof BroadcastChannel === "undefined") return;
    var channel = new BroadcastChannel(CHANNEL);
    channel.postMessage({ type: "changed" });
    channel.close();
  }

  function all() {
    return withStore("readonly", function (store, done) {
      var request = store.getAll();
      request.onsuccess = function () { done(request.result || []); };
    });
  }

  function forUser(user) {
    return all().then(function (entries) {
      return entries.filter(function (e) { return String(e.user) === String(user); })
        .sort(function (a, b) { return a.createdAt - b.createdAt; });
    });
  }

  function get(key) {
    return withStore("readonly", function (store, done) {
      var request = store.get(key);
      request.onsuccess = function () { done(request.result); };
    });
  }

  function put(entry) {
    return withStore("readwrite", function (store) { store.put(entry); }).then(function () {
      announce();
      return entry;
    });
  }

  function add(entry) {
    return put(Object.assign({ createdAt: Date.now(), status: "pending", errors: [], claimedAt: 0 }, entry));
  }

  function remove(key) {
    return withStore("readwrite", function (store) { store.delete(key); }).then(announce);
  }

  // Marks the entry as being sent, in one transaction, unless another sender has it: at most one tab or
  // worker posts an entry at a time (and if two ever did, the key keeps the server from saving it twice).
  function claim(key) {
    return withStore("readwrite", function (store, done) {
      var request = store.get(key);
      request.onsuccess = function () {
        var entry = request.result;
        if (!entry || entry.status === "rejected" || Date.now() - (entry.claimedAt || 0) < CLAIM_MS) {
          done(null);
          return;
        }
        entry.claimedAt = Date.now();
        entry.attempts = (entry.attempts || 0) + 1;
        store.put(entry);
        done(entry);
      };
    });
  }

  function release(entry, changes) {
    return get(entry.key).then(function (current) {
      if (!current) return null; // confirmed meanwhile (the teacher saved it again from the form)
      return put(Object.assign(current, { claimedAt: 0 }, changes || {}));
    });
  }

  function onLoginPage(response) {
    try {
      return new URL(response.url).pathname === LOGIN_PATH;
    } catch (e) {
      return false;
    }
  }

  function textOf(html) {
    return html.replace(/<[^>]*>/g, "").replace(/&nbsp;/g, " ").replace(/&quot;/g, '"').replace(/&#x27;/g, "'")
      .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();
  }

  // The messages of a form the server sent back: its error box and each field's error.
  function errorsIn(html) {
    var found = [];
    var patterns = [
      /<div class="alert alert-danger" role="alert">([\s\S]*?)<\/div>/g,
      /class="invalid-feedback[^"]*"[^>]*>([\s\S]*?)<\/(?:div|span|p)>/g,
    ];
    patterns.forEach(function (pattern) {
      var match;
      while ((match = pattern.exec(html))) {
        var text = textOf(match[1]);
        if (text && found.indexOf(text) < 0) found.push(text);
      }
    });
    return found;
  }

  // One entry: fetch its form afresh (which proves the session is still its author's and gives a CSRF
  // token of this session: the token in the stored form rotated when the teacher logged in again), then
  // post the stored fields with it. Resolves with {state: "saved" | "rejected" | "wait", errors}.
  function send(entry) {
    var headers = { "X-CareTrack-Outbox": "1" };
    return fetch(entry.url, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (page) {
        if (onLoginPage(page)) return { state: "wait", reason: "login" };
        if (page.status === 403 || page.status === 404) {
          return { state: "rejected", errors: ["您已不能为该学生记录（页面返回 " + page.status + "）。"] };
        }
        if (!page.ok) return { state: "wait", reason: "server" };
        return page.text().then(function (html) {
          var user = /<body[^>]*\sdata-user="(\d+)"/.exec(html);
          var token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
          if (!user || user[1] !== String(entry.user)) return { state: "wait", reason: "other-user" };
          if (!token) return { state: "wait", reason: "server" };
          var body = new FormData();
          entry.fields.forEach(function (pair) {
            if (pair[0] === "csrfmiddlewaretoken") return;
            if (typeof pair[1] === "string") body.append(pair[0], pair[1]);
            else body.append(pair[0], pair[1], pair[1].name || "photo.jpg");
          });
          body.append("csrfmiddlewaretoken", token[1]);
          return fetch(entry.url, { method: "POST", body: body, credentials: "same-origin", headers: headers })
            .then(function (response) {
              if (onLoginPage(response)) return { state: "wait", reason: "login" };
              return response.text().then(function (text) {
                // The saved log's message carries the key (mentoring.views.log_create).
                if (text.indexOf("saved-key-" + entry.key) >= 0) return { state: "saved" };
                if (response.status >= 500) return { state: "wait", reason: "server" };
                var errors = errorsIn(text);
                return { state: "rejected", errors: errors.length ? errors : ["服务器未接受这条记录（" + response.status + "）。"] };
              });
            });
        });
      });
  }

  // Sends every waiting entry (of `user` only, when given); stops at the first network failure.
  function flush(user) {
    if (scope.CareTrackOutbox._flushing) return scope.CareTrackOutbox._flushing;
    var results = { saved: 0, rejected: 0, waiting: 0 };
    var run = all().then(function (entries) {
      var queue = entries.filter(function (e) {
        return e.status !== "rejected" && (user === undefined || String(e.user) === String(user));
      });
      function next() {
        var entry = queue.shift();
        if (!entry) return results;
        return claim(entry.key).then(function (claimed) {
          if (!claimed) return next();
          return send(claimed).then(function (outcome) {
            if (outcome.state === "saved") {
              results.saved += 1;
              return remove(claimed.key).then(next);
            }
            if (outcome.state === "rejected") {
              results.rejected += 1;
              return release(claimed, { status: "rejected", errors: outcome.errors }).then(next);
            }
            results.waiting += 1;
            return release(claimed).then(next);
          }, function () {
            // No connection after all: leave this and the rest for the next try.
            results.waiting += queue.length + 1;
            return release(claimed).then(function () { return results; });
          });
        });
      }
      return next();
    });
    scope.CareTrackOutbox._flushing = run;
    var done = function () { scope.CareTrackOutbox._flushing = null; };
    run.then(done, done);
    return run;
  }

  // A key for one 保存. crypto.randomUUID needs a secure context; getRandomValues does not.
  function newKey() {
    if (scope.crypto && scope.crypto.randomUUID) return scope.crypto.randomUUID();
    var bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  scope.CareTrackOutbox = {
    CHANNEL: CHANNEL,
    add: add,
    all: all,
    forUser: forUser,
    get: get,
    put: put,
    remove: remove,
    flush: flush,
    newKey: newKey,
    errorsIn: errorsIn,
    _flushing: null,
  };
})(self);

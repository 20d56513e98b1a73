// CareTrack's service worker, served at /sw.js by caretrack.offline_views.service_worker (which puts
// self.CARETRACK = {version, outboxScript, staticUrl, loginUrl} above this file).
// - A teacher's pages (home, 我的学生, a child's page, the log forms) network-first, with the copy from
//   the last visit when there is no connection. Nothing else is kept: no page of another role, no page
//   the server marks no-store (a child's page with full ID numbers and phones), no query-less guess.
//   The copies are dropped at logout and on the login page (static/js/offline.js).
// - Static files cache-first, in a cache named by the version (a new deployment starts a new one).
//   Nothing is fetched ahead at install: files are kept as the pages that use them are visited.
// - A log form's 保存 whose connection fails on the way goes into the outbox; Background Sync sends it.
/* global CareTrackOutbox */
"use strict";
var CONFIG = self.CARETRACK || { version: "dev", staticUrl: "/static/", loginUrl: "/accounts/login/" };
importScripts(CONFIG.outboxScript || CONFIG.staticUrl + "js/outbox-store.js");

var PAGE_CACHE = "caretrack-pages"; // the same name in static/js/offline.js
var ASSET_PREFIX = "caretrack-assets-";
var ASSET_CACHE = ASSET_PREFIX + CONFIG.version;
var HOME = /^\/$/;
var MY_STUDENTS = /^\/mentoring\/$/;
var LOG_FORM = /^\/mentoring\/children\/\d+\/(talk|visit|family-contact|guardian-contact)\/new\/$/;
var TEACHER_PAGES = [HOME, MY_STUDENTS, /^\/children\/\d+\/$/, LOG_FORM];

function isTeacherPage(path) {
  return TEACHER_PAGES.some(function (pattern) { return pattern.test(path); });
}

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(ASSET_PREFIX) === 0 && name !== ASSET_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// A page may be kept only as the teacher saw it: a full, plain answer for one of the listed pages that the
// server did not forbid keeping (a page with full identifiers is audited and sent no-store).
function keepable(response) {
  if (!response || response.status !== 200 || response.type !== "basic" || response.redirected) return false;
  if (!/^text\/html/.test(response.headers.get("Content-Type") || "")) return false;
  if (/no-store|private/.test(response.headers.get("Cache-Control") || "")) return false;
  return isTeacherPage(new URL(response.url).pathname);
}

function offlinePage() {
  var html = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>没有网络 · CareTrack</title></head>' +
    '<body style="font-family:sans-serif;padding:1.5rem;line-height:1.6">' +
    "<h1 style=\"font-size:1.25rem\">当前没有网络连接</h1>" +
    "<p>这个页面还没有保存在本机。已打开过的“我的学生”、学生页面和记录表单在没有网络时也可以使用。</p>" +
    '<p><a href="/mentoring/">打开我的学生</a></p></body></html>';
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function fromCache(request) {
  return caches.open(PAGE_CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      // A form opened from another link (its ?next= differs) is the same form.
      return hit || cache.match(request, { ignoreSearch: true });
    });
  });
}

function page(request) {
  return fetch(request).then(function (response) {
    if (keepable(response)) {
      var copy = response.clone();
      caches.open(PAGE_CACHE).then(function (cache) { return cache.put(request, copy); });
    }
    return response;
  }, function () {
    var path = new URL(request.url).pathname;
    return fromCache(request).then(function (hit) {
      if (hit) return hit;
      // The home page only redirects: offline, a teacher's home is 我的学生 as last seen.
      if (HOME.test(path)) {
        return caches.open(PAGE_CACHE).then(function (cache) { return cache.match("/mentoring/"); })
          .then(function (mine) { return mine ? Response.redirect("/mentoring/", 302) : offlinePage(); });
      }
      return offlinePage();
    });
  });
}

function asset(request) {
  return caches.open(ASSET_CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (response.status === 200 && response.type === "basic") cache.put(request, response.clone());
        return response;
      });
    });
  });
}

// 保存 on a log form: to the server; if the connection fails on the way, into the outbox, and back to the
// form, which says so (drafts.js reads #queued=<key>). If the server did save it before the connection
// dropped, the outbox's repeat carries the same key and the server answers "saved" without a second log.
function saveOrQueue(request) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.formData().then(function (data) {
      var fields = [];
      data.forEach(function (value, name) {
        if (typeof value !== "string" && !value.size) return;
        fields.push([name, value]);
      });
      var key = data.get("client_key");
      var user = data.get("outbox_user");
      if (!key || !user) return offlinePage();
      var url = new URL(request.url);
      return CareTrackOutbox.add({ key: key, user: user, url: url.pathname + url.search, title: "", fields: fields })
        .then(function () {
          if (self.registration.sync) self.registration.sync.register("caretrack-outbox").catch(function () {});
          return Response.redirect(url.pathname + url.search + "#queued=" + key, 303);
        });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST") {
    if (request.mode === "navigate" && LOG_FORM.test(url.pathname)) event.respondWith(saveOrQueue(request));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.indexOf(CONFIG.staticUrl) === 0) {
    event.respondWith(asset(request));
  } else if (request.mode === "navigate" && isTeacherPage(url.pathname)) {
    event.respondWith(page(request));
  } else if (request.mode === "navigate") {
    // Any other page is never kept; with no connection it says so in Chinese instead of the browser's error.
    event.respondWith(fetch(request).catch(offlinePage));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "caretrack-outbox") event.waitUntil(CareTrackOutbox.flush());
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "flush") event.waitUntil(CareTrackOutbox.flush());
  if (data.type === "forget-pages") event.waitUntil(caches.delete(PAGE_CACHE));
});

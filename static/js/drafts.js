// CareTrack log forms (templates/mentoring/log_form.html): nothing typed is lost.
// - The draft is kept in localStorage while typing, under the user, the child and the kind (another
//   teacher on the same phone never sees it), restored when the form is opened again, and dropped only
//   when the server confirms the save (static/js/offline.js reads the saved log's message), when it goes
//   into the outbox, or when the teacher discards it.
// - 保存 with no connection puts the entry (photos included) into the outbox (static/js/outbox-store.js):
//   it is sent when the connection returns. The form's client_key makes a repeat harmless.
// - A form opened from "N 条未能发送" (#outbox=<key>) is filled from the entry and shows why it was refused.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft]");
  var offline = window.CareTrackOffline;
  var outbox = window.CareTrackOutbox;
  if (!form || !offline) return;
  var user = document.body.dataset.user;
  var storageKey = offline.draftKey(form);
  var keyInput = form.querySelector('input[name="client_key"]');
  var notice = document.getElementById("draft-notice");
  var SKIP = { csrfmiddlewaretoken: true, next: true, client_key: true, outbox_user: true };

  // The outbox needs to know whose entry a request is, even when the service worker (which sees only the
  // request) queues it: the server ignores this field.
  if (form.hasAttribute("data-outbox")) {
    var owner = document.createElement("input");
    owner.type = "hidden";
    owner.name = "outbox_user";
    owner.value = user;
    form.appendChild(owner);
  }

  function fields() {
    var values = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.disabled || el.type === "file" || el.type === "submit") return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) values.push([el.name, el.value]);
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { values.push([el.name, o.value]); });
      } else {
        values.push([el.name, el.value]);
      }
    });
    return values;
  }

  function fill(values) {
    var byName = {};
    values.forEach(function (pair) {
      if (typeof pair[1] !== "string" || SKIP[pair[0]]) return;
      (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]);
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "file" || el.type === "submit") return;
      var chosen = byName[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = chosen.indexOf(el.value) >= 0;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = chosen.indexOf(o.value) >= 0; });
      } else if (chosen.length) {
        el.value = chosen[0];
      }
    });
    // Photos of an outbox entry go back into their file input (Chromium and Firefox allow it).
    values.forEach(function (pair) {
      if (typeof pair[1] === "string" || !pair[1] || !pair[1].size) return;
      var input = form.querySelector('input[type="file"][name="' + pair[0] + '"]');
      if (!input || typeof DataTransfer === "undefined") return;
      try {
        var list = new DataTransfer();
        Array.prototype.forEach.call(input.files, function (f) { list.items.add(f); });
        list.items.add(pair[1]);
        input.files = list.files;
      } catch (e) { /* the browser keeps file inputs read-only */ }
    });
    var details = form.querySelector("details");
    if (details && form.querySelector('[name="flag_concern"]:checked')) details.open = true;
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function readDraft() {
    try { return JSON.parse(localStorage.getItem(storageKey)); } catch (e) { return null; }
  }

  var initial = fields(); // what the server rendered: typing nothing is no draft
  function saveDraft() {
    var now = fields();
    if (same(now, initial)) {
      localStorage.removeItem(storageKey);
      return;
    }
    try {
      localStorage.setItem(storageKey, JSON.stringify({ key: keyInput ? keyInput.value : "", fields: now, savedAt: Date.now() }));
    } catch (e) { /* storage full or disabled: the form still works */ }
  }

  function show(kind, text, actions) {
    if (!notice) return;
    notice.className = "alert alert-" + kind + " py-2 d-flex flex-wrap align-items-center gap-2";
    notice.textContent = "";
    var span = document.createElement("span");
    span.className = "me-auto";
    span.textContent = text;
    notice.appendChild(span);
    (actions || []).forEach(function (action) {
      var el = document.createElement(action.href ? "a" : "button");
      if (action.href) el.href = action.href; else el.type = "button";
      el.className = "btn btn-sm " + (action.css || "btn-outline-secondary");
      el.textContent = action.label;
      if (action.onClick) el.addEventListener("click", action.onClick);
      notice.appendChild(el);
    });
    notice.hidden = false;
  }
  function hideNotice() { if (notice) notice.hidden = true; }

  function freshForm() {
    form.reset();
    if (keyInput) keyInput.value = outbox ? outbox.newKey() : "";
    initial = fields();
  }

  // 1. The key of this 保存: kept with the draft, so that a save whose answer never arrived, sent again
  //    from the restored draft, is recognised by the server instead of saved twice.
  var draft = readDraft();
  var hash = /^#(outbox|queued)=([0-9a-f-]{36})$/.exec(location.hash);
  if (keyInput && !keyInput.value) keyInput.value = (draft && draft.key) || (outbox ? outbox.newKey() : "");

  // An outbox entry the server refused, opened from the notice: its fields, its key and why.
  function openEntry(key) {
    if (!outbox) return;
    outbox.get(key).then(function (entry) {
      if (!entry || String(entry.user) !== String(user)) return;
      fill(entry.fields);
      if (keyInput) keyInput.value = entry.key;
      var why = (entry.errors || []).join("；");
      show("danger", "这条记录未能发送" + (why ? "：" + why : "。") + "请修改后重新保存。", [{
        label: "放弃这条记录",
        css: "btn-outline-danger",
        onClick: function () {
          outbox.remove(entry.key).then(function () { freshForm(); hideNotice(); });
        },
      }]);
      window.scrollTo(0, 0);
    });
  }
  window.addEventListener("hashchange", function () {
    var opened = /^#outbox=([0-9a-f-]{36})$/.exec(location.hash);
    if (opened) openEntry(opened[1]);
  });

  if (hash && hash[1] === "queued") {
    // The service worker put this form's 保存 into the outbox (the connection failed on the way).
    localStorage.removeItem(storageKey);
    freshForm();
    show("warning", "网络中断，这条记录已保存在本机，恢复网络后将自动发送。", [{ label: "返回我的学生", href: "/" }]);
  } else if (hash && hash[1] === "outbox") {
    openEntry(hash[2]);
  } else if (draft && !form.hasAttribute("data-bound") && !same(draft.fields, initial)) {
    // 2. A draft left unsaved (the page was closed, the connection dropped at 保存): back in the form.
    fill(draft.fields);
    show("info", "已恢复您上次未保存的草稿", [{
      label: "丢弃草稿",
      onClick: function () {
        localStorage.removeItem(storageKey);
        freshForm();
        hideNotice();
      },
    }]);
  }

  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);
  window.addEventListener("pagehide", saveDraft);

  // 3. 保存 with no connection: into the outbox instead of a page that cannot load.
  form.addEventListener("submit", function (event) {
    saveDraft();
    if (!form.hasAttribute("data-outbox") || !outbox || !window.indexedDB || navigator.onLine !== false) return;
    event.preventDefault();
    var values = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value !== "string" && !value.size) return; // an empty file input
      values.push([name, value]);
    });
    var entry = {
      key: keyInput.value,
      user: user,
      url: location.pathname + location.search,
      title: document.querySelector("h1") ? document.querySelector("h1").textContent.trim() : document.title,
      fields: values,
    };
    outbox.add(entry).then(function () {
      localStorage.removeItem(storageKey);
      freshForm();
      show("warning", "当前没有网络，这条记录已保存在本机（待发送），恢复网络后将自动发送。", [{ label: "返回我的学生", href: "/" }]);
      if (offline.render) offline.render();
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.ready.then(function (reg) {
          if (reg.sync) return reg.sync.register("caretrack-outbox");
        }).catch(function () {});
      }
    }, function () {
      show("danger", "无法保存到本机，请恢复网络后再保存。草稿仍然保留。");
    }).then(function () {
      // page-actions.js disabled 保存 on submit; the form is usable again.
      form.querySelectorAll("button[data-once]").forEach(function (b) { b.disabled = false; b.textContent = "保存"; });
      window.scrollTo(0, 0);
    });
  });
})();

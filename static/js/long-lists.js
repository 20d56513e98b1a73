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
  // --- 活动: participants as chips ---------------------------------------------------------------------
  // [data-participant-picker="<url>"] adds a whole class at one tap (加入全班) or a child found by name to the
  // chips [data-chips]; each chip is a checked box named pick_children with a 移除 label. Without this script
  // the class check boxes add whole classes and 移除 unticks the box.
  document.querySelectorAll("[data-participant-picker]").forEach(function (picker) {
    var form = picker.closest("form");
    var chips = form.querySelector("[data-chips]");
    var count = form.querySelector("[data-chip-count]");
    var search = picker.querySelector("[data-picker-search]");
    var suggestions = picker.querySelector("[data-picker-suggestions]");
    var note = picker.querySelector("[data-picker-note]");
    var classSelect = picker.querySelector("[data-picker-class]");
    var boxes = form.querySelector("[data-classes-without-js]");
    picker.hidden = false;
    // 加入全班 replaces the class boxes, so that a child of a class can then be removed one by one.
    if (boxes && !boxes.querySelector("input:checked")) { boxes.hidden = true; }

    function field(name) { return form.querySelector('[name="' + name + '"]'); }
    function recount() { count.textContent = chips.querySelectorAll("input[name=pick_children]").length; }

    function addChip(child) {
      if (chips.querySelector('input[name=pick_children][value="' + child.id + '"]')) return false;
      var chip = document.createElement("span");
      chip.className = "participant-chip";
      chip.dataset.chip = child.id;
      var box = document.createElement("input");
      box.type = "checkbox";
      box.className = "btn-check";
      box.name = "pick_children";
      box.value = child.id;
      box.id = "pick-child-" + child.id;
      box.checked = true;
      box.autocomplete = "off";
      var name = document.createElement("span");
      name.className = "chip-name";
      name.textContent = child.label;
      var remove = document.createElement("label");
      remove.className = "btn chip-remove";
      remove.htmlFor = box.id;
      remove.setAttribute("aria-label", "移除 " + child.name);
      remove.textContent = "移除";
      chip.append(box, name, remove);
      chips.appendChild(chip);
      return true;
    }

    // 移除: the label unticks the box; the chip goes, and the focus moves to the next chip (or the search).
    chips.addEventListener("change", function (event) {
      var box = event.target;
      if (box.name !== "pick_children" || box.checked) return;
      var chip = box.closest("[data-chip]");
      var next = chip.nextElementSibling || chip.previousElementSibling;
      chip.remove();
      recount();
      var target = next ? next.querySelector(".chip-remove") : search;
      if (target) { target.focus(); }
    });
    // A label is not reached by Tab or Enter on its own: make 移除 a button for the keyboard too.
    chips.addEventListener("keydown", function (event) {
      if (event.target.classList.contains("chip-remove") && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        event.target.click();
      }
    });
    function focusable() {
      chips.querySelectorAll(".chip-remove").forEach(function (label) {
        label.tabIndex = 0;
        label.setAttribute("role", "button");
      });
    }
    focusable();
    new MutationObserver(focusable).observe(chips, { childList: true });

    picker.querySelector("[data-add-class]").addEventListener("click", function () {
      if (!classSelect.value) { note.textContent = "请先选择班级。"; classSelect.focus(); return; }
      var params = new URLSearchParams({ school_class: classSelect.value });
      var inCare = field("in_care_only");
      if (inCare && inCare.checked) { params.set("in_care_only", "1"); }
      var day = field("date");
      if (day && day.value) { params.set("on", day.value); }
      getJSON(picker.dataset.participantPicker + "?" + params.toString()).then(function (data) {
        var added = data.children.filter(addChip).length;
        recount();
        var label = classSelect.options[classSelect.selectedIndex].text;
        note.textContent = "已加入" + label + " " + added + " 名学生" + (data.children.length > added ? "（其余已在名单中）" : "") + "。";
      }).catch(function () { note.textContent = "加载失败，请重试。"; });
    });

    var latest = 0;
    function suggest() {
      var ticket = ++latest;
      var text = search.value.trim();
      if (!text) { suggestions.replaceChildren(); return; }
      getJSON(picker.dataset.participantPicker + "?" + new URLSearchParams({ q: text }).toString()).then(function (data) {
        if (ticket !== latest) return;
        suggestions.replaceChildren();
        data.children.forEach(function (child) {
          var option = document.createElement("button");
          option.type = "button";
          option.className = "list-group-item list-group-item-action btn-tap";
          option.dataset.suggestion = child.id;
          option.textContent = "＋ " + child.label;
          option.addEventListener("click", function () {
            addChip(child);
            recount();
            option.remove();
            search.focus();
          });
          suggestions.appendChild(option);
        });
        if (!data.children.length) { note.textContent = "没有找到“" + text + "”。"; } else { note.textContent = ""; }
      }).catch(function () { note.textContent = "加载失败，请重试。"; });
    }
    search.addEventListener("input", debounce(suggest, 250));
    // Enter in the search box adds the first match instead of sending the whole activity form.
    search.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var first = suggestions.querySelector("[data-suggestion]");
      if (first) { first.click(); }
    });
  });
})();

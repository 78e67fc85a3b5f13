/* Studio enhancements only: every studio page works without this file. */
(function () {
  "use strict";

  // The same rule as editor_form.suggest_slug: lower-case ASCII words joined by hyphens.
  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60).replace(/-+$/, "");
  }

  // The web address follows the title while it is empty or still what was last suggested,
  // so a typed address is never overwritten.
  function suggestSlug(title, slug) {
    var last = slug.value ? null : "";
    title.addEventListener("input", function () {
      if (slug.value !== "" && slug.value !== last) return;
      last = slugify(title.value);
      slug.value = last;
    });
  }

  // A Markdown box's preview, rendered by the server as a save renders it (POST, with the
  // form's CSRF token) once typing pauses; only the newest answer is shown.
  function livePreview(box, region, url, token) {
    var timer = null;
    var asked = 0;
    function show(mine, html, message) {
      if (mine !== asked) return;
      if (html) region.innerHTML = html; // sanitised by the server's one allow-list
      else region.textContent = message || region.getAttribute("data-empty");
    }
    function update() {
      var mine = ++asked;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token, Accept: "application/json" },
        body: new URLSearchParams({ text: box.value })
      }).then(function (response) {
        return response.json().then(function (data) {
          show(mine, response.ok && data.html, data.error || region.getAttribute("data-empty"));
        });
      }).catch(function () {
        show(mine, "", "The preview can't be updated just now: press Save and preview to see it.");
      });
    }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 400);
    });
    region.parentNode.hidden = false;
  }

  // sessionStorage, or nothing where a browser blocks it.
  function remembered(key, value) {
    try {
      if (value === undefined) return window.sessionStorage.getItem(key);
      if (value === null) window.sessionStorage.removeItem(key);
      else window.sessionStorage.setItem(key, value);
    } catch (e) {
      return null;
    }
    return null;
  }

  // A talking point folded or unfolded by hand stays so when the page comes back (after Save,
  // Move, Add…), for this tab: kept by campaign and point id, so a moved point keeps its fold.
  // A point with an error to fix always opens. ("1": folded, "0": unfolded.)
  function rememberFolds(points) {
    Array.prototype.forEach.call(points, function (details) {
      var key = "studio-fold:" + details.getAttribute("data-fold");
      var state = remembered(key);
      if (state === "1" && !details.querySelector(".field-error")) details.open = false;
      if (state === "0") details.open = true;
      details.addEventListener("toggle", function () {
        remembered(key, details.open ? "0" : "1");
      });
    });
  }

  // The asks follow whom the campaign writes to: an unticked recipient's ask is hidden.
  function followTargets(boxes) {
    Array.prototype.forEach.call(boxes, function (box) {
      var ask = document.querySelector("[data-ask-role='" + box.value + "']");
      if (!ask) return;
      var follow = function () { ask.hidden = !box.checked; };
      follow();
      box.addEventListener("change", follow);
    });
  }

  // The letter's text boxes each get "Insert a detail": a menu of placeholders in plain words
  // (from the form's data-insert-menu) that puts "{name}" at the caret. Without JavaScript the
  // hint above the letter lists them in braces.
  var LETTER_TEXT = /^(opening|closing|subject_lines|asks\.[a-z_]+|talking_points\.\d+\.phrasings)(\.\d+\.text|\.when\.\d+\.text)?$/;

  function insertAtCaret(field, text) {
    var start = field.selectionStart, end = field.selectionEnd;
    // A box never clicked into has its caret at the start: add to the end of its text instead.
    if (typeof start !== "number" || !field.hasAttribute("data-caret")) {
      start = end = field.value.length;
    }
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.focus();
    field.setSelectionRange(start + text.length, start + text.length);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function insertMenus(form) {
    var items;
    try { items = JSON.parse(form.getAttribute("data-insert-menu") || "[]"); } catch (e) { return; }
    if (!items.length) return;
    var menu = document.createElement("div");
    menu.className = "insert-menu";
    menu.id = "insert-menu";
    menu.hidden = true;
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button--link";
      button.textContent = item.words;
      button.setAttribute("data-insert", "{" + item.name + "}");
      li.appendChild(button);
      list.appendChild(li);
    });
    menu.appendChild(list);
    var field = null, opener = null;
    function close(focus) {
      menu.hidden = true;
      if (opener) opener.setAttribute("aria-expanded", "false");
      if (focus) focus.focus();
    }
    menu.addEventListener("click", function (event) {
      var button = event.target.closest("[data-insert]");
      if (!button || !field) return;
      close(null);
      insertAtCaret(field, button.getAttribute("data-insert"));
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); close(opener); }
    });
    Array.prototype.forEach.call(form.querySelectorAll("textarea, input[type=text]"), function (box) {
      if (!LETTER_TEXT.test(box.name)) return;
      box.addEventListener("focus", function () { box.setAttribute("data-caret", ""); });
      var open = document.createElement("button");
      open.type = "button";
      open.className = "button--link insert-open";
      open.textContent = "Insert a detail";
      // Its name stays "Insert a detail"; the box's label describes which box it fills.
      var label = box.labels && box.labels[0];
      if (label) {
        if (!label.id) label.id = box.id + "-label";
        open.setAttribute("aria-describedby", label.id);
      }
      open.setAttribute("aria-expanded", "false");
      open.setAttribute("aria-controls", menu.id);
      box.insertAdjacentElement("afterend", open);
      open.addEventListener("click", function () {
        if (!menu.hidden && opener === open) { close(box); return; }
        if (opener) opener.setAttribute("aria-expanded", "false");
        field = box;
        opener = open;
        open.insertAdjacentElement("afterend", menu);
        menu.hidden = false;
        open.setAttribute("aria-expanded", "true");
        // The whole menu in view, above the sticky save bar (the page's scroll-padding).
        menu.scrollIntoView({ block: "nearest" });
        menu.querySelector("button").focus({ preventScroll: true });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var title = document.querySelector("[data-slug-source]");
    var slug = document.querySelector("[data-slug-target]");
    if (title && slug) suggestSlug(title, slug);
    var form = document.querySelector("form[data-markdown-url]");
    var token = form && form.querySelector("input[name=csrf_token]");
    if (form && token && window.fetch) {
      Array.prototype.forEach.call(form.querySelectorAll("[data-markdown-preview]"), function (box) {
        var region = document.getElementById(box.getAttribute("data-markdown-preview"));
        if (region) livePreview(box, region, form.getAttribute("data-markdown-url"), token.value);
      });
    }
    rememberFolds(document.querySelectorAll("details[data-fold]"));
    followTargets(document.querySelectorAll("input[name=targets]"));
    var editor = document.querySelector("form[data-insert-menu]");
    if (editor) insertMenus(editor);
  });
})();

/* Enhancements only: every page works without this file. */
(function () {
  "use strict";

  // The words this file writes, in the page's language: a page not in English carries them
  // (templates/base.html, #site-words); English is the fallback.
  var WORDS = (function () {
    var el = document.getElementById("site-words");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  })();
  function word(key, english) { return WORDS[key] || english; }

  // Same rules as advocacy/letters/delivery.py: RFC 3986 unreserved characters stay, all else is %XX.
  function enc(s) {
    return encodeURIComponent(s).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }
  function oneLine(s) { return s.replace(/[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]+/g, " "); }
  function lines(s, nl) { return s.replace(/\r\n|\r|\n/g, nl); }
  function mailto(to, subject, body) {
    var path = to.map(function (a) { return enc(a).replace(/%40/g, "@"); }).join(",");
    return "mailto:" + path + "?subject=" + enc(oneLine(subject)) + "&body=" + enc(lines(body, "\r\n"));
  }
  function webmail(spec, to, subject, body) {
    var base = spec[0];
    var q = spec[1] + "=" + enc(to.join(",")) + "&" + spec[2] + "=" + enc(oneLine(subject)) +
      "&" + spec[3] + "=" + enc(lines(body, "\n"));
    return base + (base.indexOf("?") >= 0 ? "&" : "?") + q;
  }
  // Same as compose.own_share: the share of characters outside the campaign's own paragraphs.
  function ownShare(body, stock) {
    var text = body.replace(/\r\n|\r/g, "\n").trim().replace(/\n{3,}/g, "\n\n");
    var total = 0, own = 0;
    text.split(/\n[ \t]*\n/).forEach(function (p) {
      p = p.trim();
      if (!p) return;
      total += p.length;
      if (stock.indexOf(p) < 0) own += p.length;
    });
    return own ? Math.max(1, Math.round(100 * own / total)) : 0;
  }

  function copy(text, status) {
    function done() { if (status) status.textContent = word("copied", "Copied."); }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else { fallbackCopy(text); done(); }
  }
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text; area.setAttribute("readonly", ""); area.className = "visually-hidden";
    document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); } catch (e) { /* the text stays selectable */ }
    document.body.removeChild(area);
  }

  // Windows hands mail links to the mail app through a ~2,048-character limit; Android, iOS,
  // macOS and Linux don't, so there the mailto budget is raised. Unknown counts as Windows.
  function windowsLimit() {
    var uad = navigator.userAgentData;
    if (uad && uad.platform) return uad.platform === "Windows";
    var ua = navigator.userAgent || "";
    if (/Windows NT|Win32|Win64/.test(ua)) return true;
    return !/Android|iPhone|iPad|iPod|Macintosh|Mac OS X|CrOS|Linux/.test(ua);
  }

  // A letter box as tall as its text: CSS field-sizing where the browser has it, else this.
  function grow(area) {
    if (window.CSS && CSS.supports && CSS.supports("field-sizing", "content")) return;
    function fit() { area.style.height = "auto"; area.style.height = area.scrollHeight + 4 + "px"; }
    area.addEventListener("input", fit);
    fit();
  }

  var pendingNote = null; // the letter whose send button was pressed, until the page is back

  function showSentNote() {
    var card = pendingNote;
    pendingNote = null;
    if (!card || card.querySelector(".sent-note")) return;
    var note = document.createElement("p");
    note.className = "sent-note";
    note.setAttribute("role", "status");
    // Submits the "I've sent my letters" form (a POST: only pressing it counts a send).
    note.innerHTML = word("sentNote", "Sent it? When you've sent every letter, <button type=\"submit\" form=\"sent-form\" class=\"button--link\">finish here</button>.");
    card.querySelector(".send").appendChild(note);
  }

  function setupLetter(card, webmailTable, budgets) {
    var to = card.getAttribute("data-to") ? card.getAttribute("data-to").split(",") : [];
    var stock = JSON.parse(card.getAttribute("data-stock") || "[]");
    var subject = card.querySelector("[data-subject]");
    var body = card.querySelector("[data-body]");
    var own = card.querySelector("[data-own-words]");
    var tooLong = card.querySelector("[data-too-long]");
    var status = card.querySelector("[data-copied]");

    function refresh() {
      var share = ownShare(body.value, stock);
      own.innerHTML = word("ownWords", "About <strong>%(share)s%%</strong> of this letter is in your own words.")
        .replace("%(share)s", share).replace("%%", "%") +
        (share < 5 ? " " + word("addSentence", "Adding a sentence of your own makes it count for more.") : "");
      if (!to.length) return;
      var anyLong = false; // whether the main button can't carry the letter
      card.querySelectorAll("[data-link]").forEach(function (a) {
        var kind = a.getAttribute("data-link");
        var spec = webmailTable[kind];
        var full = kind === "mailto" ? mailto(to, subject.value, body.value) : webmail(spec, to, subject.value, body.value);
        var whole = full.length <= budgets[kind];
        if (!whole) {
          if (kind === "mailto") anyLong = true; // the notice speaks of the main button

          full = kind === "mailto" ? mailto(to, subject.value, "") : webmail(spec, to, subject.value, "");
        }
        a.href = full;
        a.toggleAttribute("data-short", !whole);
        var label = a.getAttribute(whole ? "data-label-whole" : "data-label-copy");
        if (label) a.firstChild.textContent = label; // the words, not "(opens in a new tab)"
      });
      tooLong.hidden = !anyLong;
    }
    subject.addEventListener("input", refresh);
    body.addEventListener("input", refresh);
    // A subject is one line: Enter does nothing rather than break it (or submit the form).
    subject.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
    grow(subject); grow(body);

    card.querySelector("[data-copy-buttons]").hidden = false;
    card.querySelectorAll("[data-no-js]").forEach(function (el) { el.hidden = true; });
    card.querySelectorAll("[data-js]").forEach(function (el) { el.hidden = false; });
    card.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var what = button.getAttribute("data-copy");
        copy(what === "subject" ? subject.value : what === "body" ? body.value : to.join(", "), status);
      });
    });
    card.querySelectorAll("[data-copy-open]").forEach(function (link) {
      var label = link.getAttribute("data-label-copy");
      if (label) link.firstChild.textContent = label;
    });
    card.querySelectorAll("[data-send]").forEach(function (link) {
      link.addEventListener("click", function () {
        markDone(card);
        // One click does both halves when the letter can't travel in the link: copy, then open.
        if (link.hasAttribute("data-short") || link.hasAttribute("data-copy-open")) copy(body.value, status);
        pendingNote = card;
      });
    });
    refresh();
  }

  // "1 of 3 done": a letter counts as done once one of its send buttons was pressed. Kept in
  // the page only: nothing stored, nothing sent.
  function markDone(card) {
    card.setAttribute("data-done", "");
    var cards = document.querySelectorAll("[data-letter]");
    var done = document.querySelectorAll("[data-letter][data-done]").length;
    var mark = document.querySelector("[data-done-mark]");
    if (!mark || cards.length < 2) return;
    mark.hidden = false;
    mark.textContent = done + " of " + cards.length + " done";
  }

  function setupSearch(select) {
    var input = document.createElement("input");
    var id = select.id + "-search";
    input.id = id; input.type = "search"; input.className = "search-list"; input.autocomplete = "off";
    var label = document.createElement("label");
    label.htmlFor = id; label.className = "search-label"; label.textContent = select.id === "pfa" ? word("searchForces", "Search the list of police forces") : word("searchConstituencies", "Search the list of constituencies");
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(input, select);
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase(), first = null, leads = false;
      select.querySelectorAll("option").forEach(function (o) {
        if (!o.value) return;
        // Forces are also found by the places they police ("london" finds the Met); one whose
        // places start with the search is chosen before one that only mentions it.
        var places = (o.getAttribute("data-aliases") || "").toLowerCase();
        var match = (o.textContent.toLowerCase() + " " + places).indexOf(q) >= 0;
        o.hidden = !match;
        if (match && (!first || (!leads && places.indexOf(q) === 0))) {
          first = o; leads = places.indexOf(q) === 0;
        }
      });
      // A search that matches nothing leaves nothing chosen, never the earlier choice.
      if (q) select.value = first ? first.value : "";
    });
  }

  // In a partner's iframe, tell the partner page (static/embed.js) our height, and nothing else.
  function reportHeight(scrollTop) {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    var message = { advocacyHeight: height };
    // After a step, ask the partner page to bring the frame's top into view, so the supporter
    // starts the new step at its top, not halfway down a long page.
    if (scrollTop === true) message.advocacyScrollTop = true;
    window.parent.postMessage(message, "*");
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.hasAttribute("data-embed") && window.parent !== window) {
      reportHeight(document.body.hasAttribute("data-scroll-top"));
      if (window.ResizeObserver) new ResizeObserver(function () { reportHeight(); }).observe(document.documentElement);
      window.addEventListener("load", function () { reportHeight(); });
    }
    var summary = document.querySelector("[data-focus]");
    if (summary) summary.focus();
    document.querySelectorAll("textarea.answer").forEach(grow); // where CSS can't size them
    var form = document.querySelector("form[data-letters]");
    if (form) {
      var table = JSON.parse(form.getAttribute("data-webmail"));
      var budgets = JSON.parse(form.getAttribute("data-budgets"));
      if (!windowsLimit()) budgets.mailto = parseInt(form.getAttribute("data-unlimited-mailto"), 10);
      form.querySelectorAll("[data-letter]").forEach(function (card) { setupLetter(card, table, budgets); });
      // "Sent it?" waits until the supporter comes back from their email.
      document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "visible") showSentNote();
      });
      window.addEventListener("focus", showSentNote);
      // Links follow edits as they happen: no update buttons needed.
      form.querySelectorAll("[data-update]").forEach(function (el) { el.hidden = true; });
    }
    document.querySelectorAll("[data-searchable] select").forEach(setupSearch);
    // Print and post: a Print button, and the supporter's address typed once for every letter.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    var froms = document.querySelectorAll("textarea[data-from]");
    froms.forEach(function (area) {
      grow(area);
      area.addEventListener("input", function (event) {
        if (!event.isTrusted) return; // a copy below, resizing: not typed here
        froms.forEach(function (other) {
          if (other !== area) { other.value = area.value; other.dispatchEvent(new Event("input")); }
        });
      });
    });
    // The phone's own share sheet (WhatsApp, Signal, Messages…), where the browser has one.
    document.querySelectorAll("[data-share-native]").forEach(function (button) {
      if (!navigator.share) return;
      button.closest("[data-share-native-item]").hidden = false;
      button.addEventListener("click", function () {
        navigator.share({
          title: button.getAttribute("data-share-title"),
          text: button.getAttribute("data-share-text")
        }).catch(function () {}); // closed without sharing: nothing to do
      });
    });
    document.querySelectorAll("[data-copy-input]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy-input"));
      button.hidden = false;
      button.addEventListener("click", function () { copy(input.value, null); button.textContent = word("copiedShort", "Copied"); });
    });
  });
})();

/* Enhancements only: every page works without this file. */
(function () {
  "use strict";

  // Same rules as advocacy/delivery.py: RFC 3986 unreserved characters stay, all else is %XX.
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
    function done() { if (status) status.textContent = "Copied."; }
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

  function setupLetter(card, webmailTable, budget) {
    var to = card.getAttribute("data-to") ? card.getAttribute("data-to").split(",") : [];
    var stock = JSON.parse(card.getAttribute("data-stock") || "[]");
    var subject = card.querySelector("[data-subject]");
    var body = card.querySelector("[data-body]");
    var own = card.querySelector("[data-own-words]");
    var tooLong = card.querySelector("[data-too-long]");
    var status = card.querySelector("[data-copied]");

    function refresh() {
      var share = ownShare(body.value, stock);
      own.innerHTML = "About <strong>" + share + "%</strong> of this letter is in your own words." +
        (share < 5 ? " Adding a sentence of your own makes it count for more." : "");
      if (!to.length) return;
      var anyLong = false;
      card.querySelectorAll("[data-link]").forEach(function (a) {
        var kind = a.getAttribute("data-link");
        var spec = webmailTable[kind];
        var full = kind === "mailto" ? mailto(to, subject.value, body.value) : webmail(spec, to, subject.value, body.value);
        if (full.length > budget) {
          anyLong = true;
          full = kind === "mailto" ? mailto(to, subject.value, "") : webmail(spec, to, subject.value, "");
        }
        a.href = full;
      });
      tooLong.hidden = !anyLong;
    }
    subject.addEventListener("input", refresh);
    body.addEventListener("input", refresh);

    card.querySelector("[data-copy-buttons]").hidden = false;
    card.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var what = button.getAttribute("data-copy");
        copy(what === "subject" ? subject.value : what === "body" ? body.value : to.join(", "), status);
      });
    });
    card.querySelectorAll("[data-send]").forEach(function (link) {
      link.addEventListener("click", function () {
        var note = card.querySelector(".sent-note");
        if (note) return;
        note = document.createElement("p");
        note.className = "sent-note";
        note.setAttribute("role", "status");
        var thanks = document.querySelector("[data-thanks]");
        note.innerHTML = "Sent it? When you've sent every letter, <a href=\"" + thanks.getAttribute("href") + "\">finish here</a>.";
        link.closest(".send").appendChild(note);
      });
    });
    refresh();
  }

  function setupSearch(select) {
    var input = document.createElement("input");
    var id = select.id + "-search";
    input.id = id; input.type = "search"; input.className = "search-list"; input.autocomplete = "off";
    var label = document.createElement("label");
    label.htmlFor = id; label.className = "search-label"; label.textContent = "Search the list of " + (select.id === "pfa" ? "police forces" : "constituencies");
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(input, select);
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase(), first = null;
      select.querySelectorAll("option").forEach(function (o) {
        if (!o.value) return;
        var match = o.textContent.toLowerCase().indexOf(q) >= 0;
        o.hidden = !match;
        if (match && !first) first = o;
      });
      if (q && first) select.value = first.value;
    });
  }

  // In a partner's iframe, tell the partner page (static/embed.js) our height, and nothing else.
  function reportHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    window.parent.postMessage({ advocacyHeight: height }, "*");
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.hasAttribute("data-embed") && window.parent !== window) {
      reportHeight();
      if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.documentElement);
      window.addEventListener("load", reportHeight);
    }
    var summary = document.querySelector("[data-focus]");
    if (summary) summary.focus();
    var form = document.querySelector("[data-letters]");
    if (form) {
      var table = JSON.parse(form.getAttribute("data-webmail"));
      var budget = parseInt(form.getAttribute("data-budget"), 10);
      form.querySelectorAll("[data-letter]").forEach(function (card) { setupLetter(card, table, budget); });
      // Links follow edits as they happen: no update buttons needed.
      form.querySelectorAll("[data-update]").forEach(function (el) { el.hidden = true; });
    }
    document.querySelectorAll("[data-searchable] select").forEach(setupSearch);
    document.querySelectorAll("[data-copy-input]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy-input"));
      button.hidden = false;
      button.addEventListener("click", function () { copy(input.value, null); button.textContent = "Copied"; });
    });
  });
})();

/* advocacy embed: swaps each <a class="advocacy-embed"> for an iframe of the campaign's
   compact flow, sized to its content. Without this script the link still works.

   <a class="advocacy-embed" href="https://HOST/c/SLUG" data-campaign="SLUG"
      data-ref="your-group" data-theme="green" data-lang="cy">Write to your MP</a>

   The form's language is the snippet's data-lang, else the partner page's own (the lang of
   the link's nearest element that has one, usually <html lang>).
   <script async src="https://HOST/static/embed.js"></script>

   The frame sends only its height (and, after each step, a request to bring its top into
   view); messages are accepted only from our own origin and only from the frame they belong
   to. A frame that loads but never says so (this site isn't one the campaign allows, so the
   browser refused to show it) gives way to a plain link to the campaign page. */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script ? script.src : "/", document.baseURI).origin;
  var frames = [];
  var WAIT = 4000; // ms after the frame loads for it to say it is there
  // What this script itself writes on the partner's page, in the form's language.
  var WORDS = {
    en: { title: "Write a letter", fallback: "Write your letter on " },
    cy: { title: "Ysgrifennu llythyr", fallback: "Ysgrifennwch eich llythyr ar " }
  };

  function languageOf(link) {
    var owner = link.closest("[lang]");
    var lang = link.getAttribute("data-lang") || (owner && owner.getAttribute("lang")) || "";
    return lang.split("-")[0].toLowerCase();
  }

  function embed(link) {
    var slug = link.getAttribute("data-campaign");
    if (!slug || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) return;
    var url = new URL("/embed/" + slug, origin);
    ["ref", "theme"].forEach(function (name) {
      var value = link.getAttribute("data-" + name);
      if (value) url.searchParams.set(name, value);
    });
    var lang = languageOf(link);
    if (WORDS[lang]) url.searchParams.set("lang", lang);
    var words = WORDS[lang] || WORDS.en;
    var frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = link.textContent.trim() || words.title;
    frame.loading = "lazy";
    frame.style.cssText = "width:100%;border:0;display:block;min-height:24rem;";
    frame.setAttribute("data-advocacy-frame", slug);
    link.parentNode.replaceChild(frame, link);
    frames.push(frame);
    // Lazy frames load when scrolled near: the wait starts then, not now.
    frame.addEventListener("load", function () {
      if (frame.advocacyHeard) return;
      setTimeout(function () {
        if (!frame.advocacyHeard && frame.parentNode) fallBack(frame, link, url, words);
      }, WAIT);
    });
  }

  function fallBack(frame, link, url, words) {
    var host = url.hostname;
    var page = new URL(link.href);
    ["ref", "lang"].forEach(function (name) {
      if (url.searchParams.get(name)) page.searchParams.set(name, url.searchParams.get(name));
    });
    var plain = document.createElement("a");
    plain.href = page.href;
    plain.textContent = words.fallback + host;
    plain.setAttribute("data-advocacy-fallback", "");
    var p = document.createElement("p");
    p.appendChild(plain);
    frame.parentNode.replaceChild(p, frame);
    frames.splice(frames.indexOf(frame), 1);
    if (window.console) {
      console.warn(
        "advocacy embed: " + host + " did not show its form on this page, so a link to the " +
          "campaign is shown instead. Usually the campaign does not list this site (" +
          location.origin + ") among the sites allowed to embed it: ask the campaign's staff " +
          "to add it in the studio."
      );
    }
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || typeof event.data.advocacyHeight !== "number") {
      return;
    }
    frames.forEach(function (frame) {
      if (frame.contentWindow === event.source) {
        frame.advocacyHeard = true;
        frame.style.height = Math.max(200, Math.min(event.data.advocacyHeight, 20000)) + "px";
        frame.style.minHeight = "0";
        // A new step: show its top, unless the frame's top is already on screen.
        var top = frame.getBoundingClientRect().top;
        if (event.data.advocacyScrollTop === true && (top < 0 || top > window.innerHeight)) {
          frame.scrollIntoView({ block: "start" });
        }
      }
    });
  });

  function start() {
    var links = document.querySelectorAll("a.advocacy-embed[href^='" + origin + "']");
    Array.prototype.forEach.call(links, embed);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/* advocacy embed: swaps each <a class="advocacy-embed"> for an iframe of the campaign's
   compact flow, sized to its content. Without this script the link still works.

   <a class="advocacy-embed" href="https://HOST/c/SLUG" data-campaign="SLUG"
      data-ref="your-group" data-theme="green">Write to your MP</a>
   <script async src="https://HOST/static/embed.js"></script>

   The frame sends only its height (and, after each step, a request to bring its top into
   view); messages are accepted only from our own origin and only from the frame they belong
   to. */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script ? script.src : "/", document.baseURI).origin;
  var frames = [];

  function embed(link) {
    var slug = link.getAttribute("data-campaign");
    if (!slug || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) return;
    var url = new URL("/embed/" + slug, origin);
    ["ref", "theme"].forEach(function (name) {
      var value = link.getAttribute("data-" + name);
      if (value) url.searchParams.set(name, value);
    });
    var frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = link.textContent.trim() || "Write a letter";
    frame.loading = "lazy";
    frame.style.cssText = "width:100%;border:0;display:block;min-height:24rem;";
    frame.setAttribute("data-advocacy-frame", slug);
    link.parentNode.replaceChild(frame, link);
    frames.push(frame);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || typeof event.data.advocacyHeight !== "number") {
      return;
    }
    frames.forEach(function (frame) {
      if (frame.contentWindow === event.source) {
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

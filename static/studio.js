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

  document.addEventListener("DOMContentLoaded", function () {
    var title = document.querySelector("[data-slug-source]");
    var slug = document.querySelector("[data-slug-target]");
    if (title && slug) suggestSlug(title, slug);
  });
})();

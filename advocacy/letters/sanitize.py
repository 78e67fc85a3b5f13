"""Staff-written HTML, cleaned with one allow-list: paragraphs, headings, links, emphasis, lists,
quotes, code and rules.

Used where HTML comes in (campaign summaries, and the HTML that ``markdown`` renders). Letters
are plain text and never pass through here: bleach escapes ``&`` to ``&amp;``, which would end up
in a supporter's email.
"""

import re
from functools import lru_cache

# bleach is deprecated upstream (security fixes only); nh3 is its successor. It stays behind
# this one module so that a switch, when an issue asks for it, touches nothing else.
import bleach
from bleach.html5lib_shim import Filter

TAGS = frozenset({"p", "br", "a", "em", "strong", "ul", "ol", "li", "h2", "h3", "h4"})
TAGS |= {"code", "pre", "blockquote", "hr"}  # Markdown's `code`, fenced code, > quotes and ---
ATTRIBUTES = {"a": ["href", "title"], "ol": ["start"]}
PROTOCOLS = frozenset({"http", "https", "mailto"})
# bleach strips a disallowed tag but keeps its text; for these the text is code, not words.
CODE_ELEMENTS = re.compile(r"<(script|style|template)\b[^>]*>.*?</\1\s*>", re.I | re.S)


class _LinkFilter(Filter):
    """Every link gets rel="noopener" (and, inside a partner's frame, opens a new tab)."""

    new_tab = False

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = {k: v for k, v in token["data"].items() if k[1] not in ("rel", "target")}
                if self.new_tab:
                    attrs[(None, "target")] = "_blank"
                if (None, "href") in attrs:  # a link whose address was refused is no link
                    attrs[(None, "rel")] = "noopener"
                token["data"] = attrs
            yield token


class _NewTabFilter(_LinkFilter):
    new_tab = True


def _cleaner(link_filter: type[Filter]) -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=TAGS,
        attributes=ATTRIBUTES,
        protocols=PROTOCOLS,
        strip=True,
        filters=[link_filter],  # run after the allow-list, so rel and target are ours alone
    )


_CLEANER = _cleaner(_LinkFilter)
_NEW_TAB_CLEANER = _cleaner(_NewTabFilter)


def clean_html(html: str) -> str:
    """Only the allowed tags and attributes survive; scripts, handlers and styles are removed.

    Links get rel="noopener". (Pages also send Referrer-Policy: no-referrer, so links stay
    private without rel="noreferrer".)
    """
    return _CLEANER.clean(CODE_ELEMENTS.sub("", html))


@lru_cache(maxsize=256)
def new_tab(html: str) -> str:
    """Cleaned HTML whose links open in a new tab: inside a partner's frame, a link must never
    replace the form."""
    return _NEW_TAB_CLEANER.clean(CODE_ELEMENTS.sub("", html))


# What the campaign page shows above the postcode box: on a phone the box must be in the first
# screen, so only a first paragraph of a sentence or two goes before it.
LEAD_MAX_CHARS = 300
_FIRST_PARAGRAPH = re.compile(r"\s*(<p>.*?</p>)(.*)", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def lead_and_rest(html: str) -> tuple[str, str]:
    """Sanitised summary HTML split into a short first paragraph and the rest.

    The lead is the first paragraph when the summary starts with one of at most
    ``LEAD_MAX_CHARS`` characters of text; otherwise there is no lead, and it is all the rest.
    """
    found = _FIRST_PARAGRAPH.fullmatch(html)
    if found is None or len(_TAG.sub("", found[1])) > LEAD_MAX_CHARS:
        return "", html.strip()
    return found[1], found[2].strip()

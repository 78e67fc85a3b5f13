"""Staff-written HTML, cleaned with one allow-list: paragraphs, links, emphasis and lists.

Used where HTML comes in (campaign summaries). Letters are plain text and never pass through
here: bleach escapes ``&`` to ``&amp;``, which would end up in a supporter's email.
"""

import re

# bleach is deprecated upstream (security fixes only); nh3 is its successor. It stays behind
# this one module so that a switch, when an issue asks for it, touches nothing else.
import bleach

TAGS = frozenset({"p", "br", "a", "em", "strong", "ul", "ol", "li"})
ATTRIBUTES = {"a": ["href", "title"]}
PROTOCOLS = frozenset({"http", "https", "mailto"})
# bleach strips a disallowed tag but keeps its text; for these the text is code, not words.
CODE_ELEMENTS = re.compile(r"<(script|style|template)\b[^>]*>.*?</\1\s*>", re.I | re.S)


def clean_html(html: str) -> str:
    """Only the allowed tags and attributes survive; scripts, handlers and styles are removed."""
    # Pages send Referrer-Policy: no-referrer, so links need no rel attributes to stay private.
    html = CODE_ELEMENTS.sub("", html)
    return bleach.clean(html, tags=TAGS, attributes=ATTRIBUTES, protocols=PROTOCOLS, strip=True)

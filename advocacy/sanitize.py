"""Staff-written HTML, cleaned with one allow-list: paragraphs, links, emphasis and lists.

Used where HTML comes in (campaign summaries). Letters are plain text and never pass through
here: bleach escapes ``&`` to ``&amp;``, which would end up in a supporter's email.
"""

import bleach

TAGS = frozenset({"p", "br", "a", "em", "strong", "ul", "ol", "li"})
ATTRIBUTES = {"a": ["href", "title"]}
PROTOCOLS = frozenset({"http", "https", "mailto"})


def clean_html(html: str) -> str:
    """Only the allowed tags and attributes survive; scripts, handlers and styles are removed."""
    # Pages send Referrer-Policy: no-referrer, so links need no rel attributes to stay private.
    return bleach.clean(html, tags=TAGS, attributes=ATTRIBUTES, protocols=PROTOCOLS, strip=True)

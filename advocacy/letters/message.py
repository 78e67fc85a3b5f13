"""Words a supporter reads, written in English where they arise and put in their language where
they are shown.

The domain (no Flask here) says what went wrong in English; the page or the API translates it
(``advocacy.platform.languages.translate``). ``N_`` marks a message for the catalogue
(babel.cfg extracts its first argument) and keeps the values of its placeholders beside the
English text, so a translation puts them where its own grammar wants them. A message is still a
``str``: what reads it in English, the API and the tests, needs nothing new.
"""

from collections.abc import Mapping


class Message(str):
    """English text that remembers its catalogue entry and the values put into it."""

    msgid: str
    params: Mapping[str, object]


def N_(msgid: str, **params: object) -> Message:  # noqa: N802 (gettext's own name for it)
    """``msgid`` with ``params`` put in (``%(name)s``), marked for translation where shown."""
    text = Message(msgid % params if params else msgid)
    text.msgid = msgid
    text.params = params
    return text


def in_words(items: list[str]) -> str:
    """Items as a sentence writes them, as a message: "A", "A and B", "A, B and C"."""
    if len(items) < 2:
        return items[0] if items else ""
    if len(items) == 2:
        return N_("%(first)s and %(last)s", first=items[0], last=items[1])
    return N_("%(first)s, %(rest)s", first=items[0], rest=in_words(items[1:]))


def listed(items: list[str]) -> str:
    """Items with commas between them, as a message: "A", "A, B", "A, B, C"."""
    if len(items) < 2:
        return items[0] if items else ""
    return N_("%(first)s, %(rest)s", first=items[0], rest=listed(items[1:]))

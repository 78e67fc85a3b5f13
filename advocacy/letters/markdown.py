"""Markdown that staff write (the campaign summary, the thank-you text), as safe HTML.

CommonMark by markdown-it-py with raw HTML off, then the one allow-list in ``sanitize``: the
parser makes the structure, the sanitiser decides what may reach a page. Headings start at
<h2>, because the page's own title is its <h1>; an image is a link to it, never an <img>.

``from_html`` goes the other way, for summaries written as HTML before Markdown: the editor
shows them as Markdown, so staff never edit HTML again.
"""

import re
from functools import lru_cache
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from advocacy.letters.sanitize import clean_html

_MD = MarkdownIt("commonmark", {"html": False})


def _image_as_link(renderer, tokens, idx, options, env) -> str:
    """``![alt](url)`` as a link to the image, named by its alt text: pages load nothing from
    elsewhere, so there is never an <img>."""
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = renderer.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{escapeHtml(src)}">{escapeHtml(alt)}</a>'


_MD.add_render_rule("image", _image_as_link)


def render(text: str) -> str:
    """Staff Markdown as sanitised HTML ("" for no text). Uncached, for drafts being typed
    (the studio's live preview), which would only push saved texts out of the cache."""
    if not text.strip():
        return ""
    tokens = _MD.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 4)}"
    return clean_html(_MD.renderer.render(tokens, _MD.options, {})).strip()


# Saved summaries and thank-you texts, rendered once each rather than on every page.
to_html = lru_cache(maxsize=512)(render)


# Characters that mean something in Markdown, escaped in text taken from HTML.
_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#"})


def _start(value: str | None) -> int:
    """An ordered list's first number as CommonMark can write it (up to nine digits); 1 for
    anything else (``start="x"``, or more digits than ``int`` reads)."""
    return int(value) if value and re.fullmatch(r"[0-9]{1,9}", value) else 1


class _ToMarkdown(HTMLParser):
    """The allow-listed tags as Markdown; anything else keeps its text only."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [next number] or [] for bullets
        self.links: list[tuple[str, str]] = []
        self.outer: list[list[str]] = []  # the text around an open quote or code block
        self.pre = False

    def _block(self) -> None:
        text = "".join(self.out).rstrip(" ")
        if text and not text.endswith("\n\n"):
            self.out = [text.rstrip("\n") + "\n\n"]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("p", "h2", "h3", "h4") or tag in ("ul", "ol") and not self.lists:
            self._block()
        if tag in ("blockquote", "pre", "hr"):
            self._block()
        if tag in ("blockquote", "pre"):  # written apart, then quoted or fenced at the end
            self.outer.append(self.out)
            self.out = []
            self.pre = self.pre or tag == "pre"
        elif tag == "hr":
            self.out.append("---")
            self._block()
        elif tag == "code" and self.pre:
            pass
        elif tag in ("h2", "h3", "h4"):
            self.out.append("#" * (int(tag[1]) - 1) + " ")
        elif tag in ("ul", "ol"):
            self.lists.append([_start(attrs.get("start"))] if tag == "ol" else [])
        elif tag == "li" and self.lists:
            text = "".join(self.out)
            if text and not text.endswith("\n"):
                self.out.append("\n")
            indent = "   " * (len(self.lists) - 1)
            numbers = self.lists[-1]
            if numbers:
                self.out.append(f"{indent}{numbers[0]}. ")
                numbers[0] += 1
            else:
                self.out.append(f"{indent}- ")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "code":
            self.out.append("`")
        elif tag == "br":
            self.out.append("\\\n")
        elif tag == "a":
            self.links.append((attrs.get("href") or "", attrs.get("title") or ""))
            self.out.append("[")

    def handle_endtag(self, tag):
        if tag in ("p", "h2", "h3", "h4") or tag in ("ul", "ol") and len(self.lists) <= 1:
            self._block()
        if tag in ("blockquote", "pre") and self.outer:
            inner, self.out = "".join(self.out), self.outer.pop()
            self._block()
            if tag == "pre":
                self.pre = False
                fence = "`" * max(3, *(len(run) + 1 for run in re.findall(r"`+", inner)))
                self.out.append(f"{fence}\n{inner.rstrip(chr(10))}\n{fence}")
            else:
                lines = inner.strip("\n").split("\n")
                self.out.append("\n".join(f"> {line}".rstrip() for line in lines))
            self._block()
        elif tag == "code" and self.pre:
            pass
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "code":
            self.out.append("`")
        elif tag == "a" and self.links:
            href, title = self.links.pop()
            href = href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            title = f' "{title.replace(chr(34), chr(92) + chr(34))}"' if title else ""
            self.out.append(f"]({href}{title})")

    def handle_data(self, data):
        if self.pre:  # code keeps its spaces and lines, and means nothing as Markdown
            self.out.append(data)
            return
        text = " ".join(data.split())
        if data[:1].isspace() and data.strip():
            text = " " + text
        if data[-1:].isspace() and data.strip():
            text += " "
        if not data.strip():
            text = " " if "".join(self.out)[-1:] not in ("", " ", "\n") else ""
        self.out.append(text.translate(_SPECIAL))


def from_html(html: str) -> str:
    """HTML from the allow-list as Markdown that renders to the same thing."""
    parser = _ToMarkdown()
    parser.feed(clean_html(html))
    parser.close()
    return "".join(parser.out).strip()


# The summary box in the studio's editor (``editor_form`` calls these two).


def for_editor(doc: dict) -> dict:
    """The document with its summary as Markdown. A summary from before Markdown is shown
    converted, and its HTML travels with the form (``html_summary``), so that saving the page
    untouched keeps the summary exactly as it was."""
    if doc.get("summary") or not doc.get("summary_html"):
        return doc
    return {**doc, "summary": from_html(doc["summary_html"]), "html_summary": doc["summary_html"]}


def from_form(form) -> dict[str, str]:
    """The summary fields a posted editor form stands for: the Markdown typed, or, while the
    converted text is untouched (or a form without the box posts HTML), the HTML from before
    Markdown."""
    summary = form.get("summary", "").replace("\r\n", "\n").replace("\r", "\n").strip()
    html = form.get("summary_html", "").replace("\r\n", "\n")
    if html and ("summary" not in form or summary == from_html(html)):
        return {"summary": "", "summary_html": html}
    return {"summary": summary, "summary_html": ""}

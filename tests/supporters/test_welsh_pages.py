"""Every supporter page in Welsh: no English left in the chrome.

Two checks, as issue 27 asks. The templates: every word a supporter reads goes through the
catalogue (``_()`` or ``{% trans %}``), so no English literal is left in a supporter template.
The pages: each one, rendered in Welsh, holds none of the catalogue's English outside what is
marked ``lang="en"`` (the campaign's own text, which is English until it has a Welsh version).
"""

import html
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from catalogues import read_catalogue
from werkzeug.datastructures import MultiDict

from advocacy.platform import languages
from advocacy.platform import schema
from advocacy.platform import store
from advocacy.platform.models import Tally
from advocacy.platform.models import db
from advocacy.studio.preview import embed_snippet

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SUPPORTER_TEMPLATES = sorted(
    [*TEMPLATES.glob("*.html"), *(TEMPLATES / "supporters").glob("*.html")],
    key=lambda path: path.name,
)
SLUG = "stop-facial-recognition"
CARDIFF_FORM = {
    "constituency_code": "W07000089",  # Cardiff East
    "pfa_code": "W15000003",  # South Wales Police
    "talking_points": ["what-is-lfr"],
}
# Names that are the same in every language.
NAMES = {"WhatsApp", "Bluesky", "Facebook", "Gmail", "Outlook.com", "Microsoft", "Yahoo", "Mail"}
# Attributes a supporter reads or hears.
READ_ATTRIBUTES = {
    "aria-label",
    "alt",
    "title",
    "placeholder",
    "data-label-whole",
    "data-label-copy",
}
ATTRIBUTE_OUTSIDE_A_TAG = re.compile(r'[\w-]+="[^"<>]*"|\b(?:data|aria)-[\w-]+')
JINJA = re.compile(r"\{#.*?#\}|\{%-?\s*trans\b.*?endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}", re.S)


class Text(HTMLParser):
    """The text a supporter reads: text nodes and read attributes, minus any part marked
    ``lang="en"`` (and scripts and styles)."""

    VOID = {"meta", "link", "input", "br", "img", "hr", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: inside English or a script?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        outside = self.stack[-1] if self.stack else False
        values = dict(attrs)
        skip = outside or values.get("lang") == "en" or tag in {"script", "style", "textarea"}
        if not skip:
            self.parts += [v for k, v in attrs if k in READ_ATTRIBUTES and v]
        if tag not in self.VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]) and data.strip():
            self.parts.append(data)


def read_text(html: str, *, template: bool = False) -> str:
    parser = Text()
    parser.feed(html)
    parts = parser.parts
    if template:
        # What a block or macro adds to a tag (' class="embed"', ' aria-invalid="true"') is
        # markup, not text, though the parser sees it outside a tag.
        parts = [ATTRIBUTE_OUTSIDE_A_TAG.sub(" ", part) for part in parts]
    return " ".join(" ".join(parts).split())


@pytest.mark.parametrize("template", SUPPORTER_TEMPLATES, ids=lambda path: path.name)
def test_no_english_literal_in_a_supporter_template(template: Path) -> None:
    source = JINJA.sub(" ", template.read_text(encoding="utf-8"))
    words = [
        word
        for word in re.findall(r"[A-Za-z][A-Za-z.']+", read_text(source, template=True))
        if word not in NAMES
    ]
    assert not words, f"{template.name}: English left outside the catalogue: {words}"


def test_the_checker_finds_a_literal_and_skips_what_is_marked() -> None:
    """The test above can fail: it sees text and read attributes, not Jinja or lang="en"."""
    source = '<p>Hello <b lang="en">{{ x }} Campaign</b><a aria-label="Go">{{ _("Hi") }}</a>'
    source += '{% block attrs %} class="x"{% endblock %}</p>'
    assert read_text(JINJA.sub(" ", source), template=True) == "Hello Go"


def english_phrases() -> set[str]:
    """The catalogue's English, as runs of three words or more between its placeholders and
    markup: none of these may be read on a page in Welsh."""
    phrases = set()
    for message in read_catalogue("cy"):
        for text in [message.id] if isinstance(message.id, str) else message.id:
            if not text:
                continue
            for run in re.split(r"%\(\w+\)s|<[^>]+>|[“”]", text):
                run = " ".join(run.split()).strip(" .,:")
                if len(run.split()) >= 3:
                    phrases.add(run)
    return phrases


def supporter_pages(client, language: str = "cy") -> dict[str, str]:
    """Each supporter page in ``language``, from the index to the reply page."""
    lang = {"lang": language}
    place = {"constituency": "W07000089", "pfa": "W15000003"}  # Cardiff East, South Wales
    pages = {
        "index": client.get("/", query_string=lang),
        "campaign": client.get(f"/c/{SLUG}", query_string=lang),
        "lists": client.get(f"/c/{SLUG}", query_string={**lang, "manual": 1}),
        "choose": client.get(f"/c/{SLUG}", query_string={**lang, **place}),
        "privacy": client.get("/privacy", query_string=lang),
        "embed": client.get(f"/embed/{SLUG}", query_string=lang),
    }
    form = {
        "constituency_code": place["constituency"],
        "pfa_code": place["pfa"],
        "name": "Siân Example",
        "talking_points": ["what-is-lfr"],
    }
    letters = client.post(f"/c/{SLUG}/letters", query_string=lang, data=form)
    pages["letters"] = letters
    page = letters.get_data(as_text=True)
    receipt = re.search(r'name="t" value="([^"]+)"', page)
    keys = re.findall(r'<input type="hidden" name="r" value="([^"]+)"', page)
    thanks = client.post(
        f"/c/{SLUG}/thanks",
        query_string=lang,
        data={"t": receipt.group(1) if receipt else "", "r": keys},
        follow_redirects=True,
    )
    pages["thanks"] = thanks
    reply = re.search(r'id="reply-url" value="([^"]+)"', thanks.get_data(as_text=True))
    if reply:
        pages["reply"] = client.get(reply.group(1).replace("&amp;", "&"))
    refused = {name: r.status_code for name, r in pages.items() if r.status_code != 200}
    assert not refused
    assert "data-letters" in letters.get_data(as_text=True)
    return {name: response.get_data(as_text=True) for name, response in pages.items()}


def test_every_supporter_page_in_welsh_reads_no_english_chrome(welsh_app) -> None:
    client = welsh_app.test_client()
    pages = supporter_pages(client)
    assert set(pages) >= {"campaign", "choose", "letters", "thanks", "reply", "privacy"}
    phrases = english_phrases()
    english = read_text(
        client.get(f"/c/{SLUG}", query_string={"lang": "en"}).get_data(as_text=True)
    )
    assert sum(phrase in english for phrase in phrases) >= 3  # the check can fail
    for name, page in pages.items():
        assert '<html lang="cy">' in page, name
        text = read_text(page)
        left = sorted(phrase for phrase in phrases if phrase in text)
        assert not left, f"{name}: English on a page in Welsh: {left}"


def english_only(app) -> str:
    """The example campaign without its Welsh, live at another address."""
    with app.app_context():
        example = schema.example_campaign()
        campaign = replace(example, slug="english-only", translations={})
        store.create(campaign, author="test")
    return "english-only"


def test_a_campaign_without_welsh_shows_its_english_marked_and_says_so(welsh_app) -> None:
    slug = english_only(welsh_app)
    client = welsh_app.test_client()
    page = client.get(f"/c/{slug}", query_string={"lang": "cy"}).get_data(as_text=True)
    assert "Mae testun yr ymgyrch hon yn Saesneg yn unig." in page
    assert re.search(r'<h1 lang="en">[^<]+</h1>', page)
    assert "Cam 1 o 3" in page  # the chrome is Welsh
    english = client.get(f"/c/{slug}").get_data(as_text=True)
    assert 'lang="en"' not in english.partition("<body")[2]
    assert "Saesneg" not in english


def test_a_campaign_with_welsh_reads_in_welsh_on_a_welsh_page(welsh_app) -> None:
    page = welsh_app.test_client().get(f"/c/{SLUG}", query_string={"lang": "cy"})
    html_text = page.get_data(as_text=True)
    assert "<h1>Atal defnydd yr heddlu o adnabod wynebau byw</h1>" in html_text
    assert 'class="language-note"' not in html_text and "<h1 lang=" not in html_text


def test_the_lists_are_kept_per_language(welsh_app) -> None:
    welsh_app.config["CACHE_CHECK_SECONDS"] = 60.0
    client = welsh_app.test_client()
    for lang, group in [("cy", "Lloegr"), ("en", "England"), ("cy", "Lloegr")]:
        page = client.get(f"/c/{SLUG}", query_string={"lang": lang, "manual": 1})
        assert f'<optgroup label="{group}">' in page.get_data(as_text=True)


def test_role_names_and_nations_are_in_the_catalogue() -> None:
    messages = {m.id for m in read_catalogue("cy")}
    assert {"Your MP", "The body that oversees your police force", "Wales"} <= messages
    assert languages.N_("Wales") == "Wales"


def form_of(page: str, form_id: str) -> list[tuple[str, str]]:
    """What a form of the page posts: its hidden fields and its text boxes."""
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', page, re.S)[0]
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    fields += re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S)
    return [(name, html.unescape(value)) for name, value in fields]


def switch_button(page: str) -> dict[str, str]:
    button = re.search(r'<button type="submit" class="language-switch[^>]*>[^<]*</button>', page)
    assert button, "no language switch on a POSTed page"
    return dict(re.findall(r'(\w+)="([^"]*)"', button[0]))


def test_switching_language_on_the_letters_page_keeps_every_edit_and_counts_nothing(welsh_app):
    client = welsh_app.test_client()
    data = {**CARDIFF_FORM, "name": "Siân Example"}
    page = client.post(f"/c/{SLUG}/letters", data=data).get_data(as_text=True)
    assert '<a class="language-switch"' not in page  # no GET link to a page only POST reaches
    assert 'rel="alternate"' not in page
    button = switch_button(page)
    assert (button["form"], button["name"], button["lang"]) == ("letters-form", "update", "cy")
    fields = form_of(page, "letters-form")
    fields = [
        (name, value + "\n\nMy own sentence." if name == "body-0" else value)
        for name, value in fields
    ]
    before = counted(welsh_app)
    welsh = client.post(
        html.unescape(button["formaction"]), data=MultiDict([*fields, (button["name"], "1")])
    )
    text = welsh.get_data(as_text=True)
    assert welsh.status_code == 200 and '<html lang="cy">' in text
    assert "My own sentence." in text and "Siân Example" in text
    assert "Eich llythyrau" in text
    assert counted(welsh_app) == before


def test_switching_language_on_a_step_with_errors_keeps_what_was_typed(welsh_app):
    client = welsh_app.test_client()
    data = {**CARDIFF_FORM, "name": "", "address": "1 Heol y Frenhines"}
    page = client.post(f"/c/{SLUG}/letters", data=data)
    assert page.status_code == 400
    button = switch_button(page.get_data(as_text=True))
    assert (button["form"], button["name"]) == ("choose-form", "change")
    fields = [
        (name, value) for name, value in form_of(page.get_data(as_text=True), "choose-form")
    ] + [("address", "1 Heol y Frenhines"), ("talking_points", "what-is-lfr"), ("change", "1")]
    welsh = client.post(html.unescape(button["formaction"]), data=MultiDict(fields))
    text = welsh.get_data(as_text=True)
    assert '<html lang="cy">' in text and 'value="1 Heol y Frenhines"' in text


def test_the_embed_snippet_can_set_the_language() -> None:
    snippet = embed_snippet("https://example.org", SLUG, "Ysgrifennwch", lang="cy")
    assert 'data-lang="cy"' in snippet
    assert "data-lang" not in embed_snippet("https://example.org", SLUG, "Write")


def counted(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.coalesce(db.func.sum(Tally.total), 0)))


def test_the_supporter_picks_the_letters_language(welsh_app) -> None:
    client = welsh_app.test_client()
    choose = client.get(
        f"/c/{SLUG}", query_string={"constituency": "W07000089", "pfa": "W15000003"}
    )
    page = choose.get_data(as_text=True)
    assert 'name="letter_language" value="en" checked' in page  # the page's language by default
    assert (
        'value="cy"' in page and '<label for="letter-language-cy" lang="cy">Cymraeg</label>' in page
    )
    form = {**CARDIFF_FORM, "name": "Siân Prys", "letter_language": "cy"}
    letters = client.post(f"/c/{SLUG}/letters", data=form).get_data(as_text=True)
    assert '<html lang="en-GB">' in letters and "Your letters" in letters  # English page
    assert re.search(r'class="letter-body" lang="cy"[^>]*>Annwyl ', letters)  # Welsh letters
    assert 'name="letter_language" value="cy"' in letters  # kept through "update"


def test_a_welsh_page_writes_welsh_letters_and_prints_them_with_a_welsh_date(welsh_app) -> None:
    client = welsh_app.test_client()
    page = client.post(
        f"/c/{SLUG}/letters", query_string={"lang": "cy"}, data={**CARDIFF_FORM, "name": "Siân"}
    ).get_data(as_text=True)
    assert re.search(r'class="letter-body" rows="14"[^>]*>Annwyl ', page)  # no lang: the page's
    # The bodies by their Welsh names, in the page's sentences as in the letters.
    headings = re.findall(r'<h2 id="letter-\d-title">(.*?)</h2>', page)
    assert any("Heddlu De Cymru" in h for h in headings), headings
    # "At" (to) softens the word after it ("at Gomisiynydd"), which a name filled in can't do:
    # the Welsh reads "At:" as the To: label of a Welsh email, which mutates nothing.
    assert "2. At: Comisiynydd Heddlu a Throseddu De Cymru" in headings
    assert "South Wales Police" not in page
    # The Scottish Police Authority takes letters by post: the page to print them, in Welsh.
    aberdeen = {"constituency_code": "S14000061", "pfa_code": "S23000009"}
    form = {**aberdeen, "name": "Siân", "talking_points": ["what-is-lfr"], "print": "all"}
    printed = client.post(f"/c/{SLUG}/letters?lang=cy", data=form)
    assert printed.status_code == 200
    text = printed.get_data(as_text=True)
    assert re.search(
        r'<p class="paper-date">\d+ (Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|'
        r"Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr) 20\d\d</p>",
        text,
    )
    assert re.search(r'<div class="paper-body">Annwyl ', text)

"""The supporter's language: from the address, else the browser; no cookie; the studio English."""

import io
from pathlib import Path

import flask_babel
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.support import Translations
from catalogues import CATALOGUES
from catalogues import read_catalogue

from advocacy.platform import config
from advocacy.platform import languages

ROOT = Path(__file__).resolve().parents[2]
PAGE = "/c/stop-facial-recognition"
SKIP_CY = "Neidio i'r prif gynnwys"  # the catalogue's text as written, like the template's


def source_messages() -> set[str]:
    """Every message the code and templates mark for translation, as babel.cfg extracts them."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map
    ):
        found.add(message)
    return found


def test_negotiate_prefers_the_address_then_the_browser() -> None:
    both = ("en", "cy")
    assert languages.negotiate("cy", "en-GB,en;q=0.9", both) == "cy"
    assert languages.negotiate("en", "cy", both) == "en"
    assert languages.negotiate(None, "cy-GB,cy;q=0.9,en;q=0.5", both) == "cy"
    assert languages.negotiate(None, "en-GB,cy;q=0.5", both) == "en"
    assert languages.negotiate("fr", "fr,de", both) == "en"
    assert languages.negotiate(None, None, both) == "en"
    assert languages.negotiate("cy", "cy", ("en",)) == "en"  # not offered here


def test_the_setting_always_offers_english_first() -> None:
    assert languages.enabled("en,cy") == ("en", "cy")
    assert languages.enabled(" CY ") == ("en", "cy")
    assert languages.enabled("fr") == ("en",)
    assert languages.enabled(["cy", "en"]) == ("en", "cy")


def test_welsh_from_the_address(welsh_app) -> None:
    page = welsh_app.test_client().get(PAGE, query_string={"lang": "cy"}).get_data(as_text=True)
    assert '<html lang="cy">' in page
    assert SKIP_CY in page
    assert 'href="/privacy?lang=cy"' in page  # links keep the language chosen
    assert '<input type="hidden" name="lang" value="cy">' in page  # so does the postcode form
    assert 'hreflang="en" href="/c/stop-facial-recognition?lang=en"' in page
    assert ">English</a>" in page


def test_english_chosen_in_the_address_beats_a_welsh_browser(welsh_app) -> None:
    client = welsh_app.test_client()
    page = client.get(PAGE, query_string={"lang": "en"}, headers={"Accept-Language": "cy"})
    html = page.get_data(as_text=True)
    assert '<html lang="en-GB">' in html and "Skip to main content" in html
    assert 'href="/privacy?lang=en"' in html
    assert 'hreflang="cy" href="/c/stop-facial-recognition?lang=cy"' in html


def test_the_browser_picks_the_first_visit_and_the_kept_page_follows_it(welsh_app) -> None:
    client = welsh_app.test_client()
    for accept, lang in [
        ("cy", "cy"),
        ("en-GB", "en-GB"),
        ("cy-GB,en;q=0.5", "cy"),
        (None, "en-GB"),
    ]:
        headers = {"Accept-Language": accept} if accept else {}
        response = client.get(PAGE, headers=headers)
        assert f'<html lang="{lang}">' in response.get_data(as_text=True), accept
        assert response.headers["Vary"] == "Accept-Language"
        assert "lang=" not in response.headers.get("Set-Cookie", "")
        # the browser will choose again on the next page: links don't pin the language
        assert 'href="/privacy"' in response.get_data(as_text=True)


def test_one_language_offered_means_english_and_no_switch(client) -> None:
    response = client.get(PAGE, query_string={"lang": "cy"}, headers={"Accept-Language": "cy"})
    html = response.get_data(as_text=True)
    assert '<html lang="en-GB">' in html and "Skip to main content" in html
    assert "hreflang" not in html and "Cymraeg" not in html
    assert "Vary" not in response.headers


def test_the_studio_stays_english(welsh_app) -> None:
    html = welsh_app.test_client().get("/admin/login?lang=cy").get_data(as_text=True)
    assert '<html lang="en-GB">' in html
    assert "hreflang" not in html


def test_templates_look_the_catalogue_up_once_a_request(welsh_app, monkeypatch) -> None:
    """Flask-Babel's own gettext finds the locale and catalogue on every call (7.6 µs each).
    (Compiling the page's templates in Welsh reads the catalogue too, once: a page before.)"""
    client = welsh_app.test_client()
    client.get(PAGE, query_string={"lang": "cy"})
    calls = []
    real = flask_babel.get_translations

    def counted():
        calls.append(1)
        return real()

    monkeypatch.setattr(flask_babel, "get_translations", counted)
    html = client.get(PAGE, query_string={"lang": "cy"}).get_data(as_text=True)
    assert SKIP_CY in html and "Sut rydym yn trin eich manylion" in html
    assert len(calls) == 1


def test_welsh_has_six_plural_forms() -> None:
    """The catalogue's rule, run by gettext itself: 0, 1, 2, 3 and 6 have forms of their own."""
    catalogue = read_catalogue("cy")
    assert catalogue.num_plurals == 6
    catalogue.add(("letter", "letters"), string=("zero", "one", "two", "three", "six", "other"))
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    welsh = Translations(buffer)
    forms = [welsh.ngettext("letter", "letters", n) for n in (0, 1, 2, 3, 4, 5, 6, 7, 11, 100)]
    assert forms == ["zero", "one", "two", "three", "other", "other", "six", *["other"] * 3]


def test_catalogues_hold_no_message_the_code_no_longer_has() -> None:
    source = source_messages()
    for folder in CATALOGUES.iterdir():
        stale = {m.id for m in read_catalogue(folder.name) if m.id} - source
        assert not stale, f"{folder.name}: {sorted(stale)}"


def test_every_language_offered_by_default_is_fully_translated() -> None:
    """A deployment never advertises a half-translated site: a language joins the default
    ``LANGUAGES`` only once its catalogue has every message."""
    source = source_messages()
    for code in languages.enabled(config.DEFAULTS["LANGUAGES"]):
        if code == languages.DEFAULT:
            continue
        done = {m.id for m in read_catalogue(code) if m.id and m.string and not m.fuzzy}
        assert not source - done, f"{code}: {len(source - done)} messages untranslated"


@pytest.mark.parametrize(
    "query",
    [{}, {"constituency": "E14001085", "pfa": "E23000001"}],
    ids=["kept campaign page", "rendered step"],
)
def test_pages_kept_in_memory_key_on_the_language(welsh_app, query) -> None:
    welsh_app.config["CACHE_CHECK_SECONDS"] = 60.0
    client = welsh_app.test_client()
    for accept, lang in [("cy", "cy"), ("en", "en-GB"), ("cy", "cy"), ("en", "en-GB")]:
        response = client.get(PAGE, query_string=query, headers={"Accept-Language": accept})
        assert response.status_code == 200
        assert f'<html lang="{lang}">' in response.get_data(as_text=True)

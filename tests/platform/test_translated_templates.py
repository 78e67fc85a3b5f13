"""Templates compiled in a language read exactly as they do translated when rendered."""

import re

import pytest
from test_welsh_pages import CARDIFF_FORM
from test_welsh_pages import SLUG
from test_welsh_pages import supporter_pages

from advocacy.platform import translated_templates
from advocacy.platform.translated_templates import AS_WRITTEN
from advocacy.platform.translated_templates import Environment

# What differs from one request to the next whatever the templates: receipts and their links.
PER_REQUEST = re.compile(r'(name="t" value=|reply-url" value=|[?&;]t=)"?[^"&]+')


def other_pages(client, language: str) -> dict[str, str]:
    """The pages a supporter meets off the usual path: a step with an error, the letters by
    post and their printed page, a campaign that doesn't exist, a form another site sent."""
    lang = {"lang": language}
    aberdeen = {  # the Scottish Police Authority takes letters by post
        "constituency_code": "S14000061",
        "pfa_code": "S23000009",
        "name": "Siân",
        "talking_points": ["what-is-lfr"],
    }
    letters = f"/c/{SLUG}/letters"
    pages = {
        "error": client.post(letters, query_string=lang, data={**CARDIFF_FORM, "name": ""}),
        "by post": client.post(letters, query_string=lang, data=aberdeen),
        "print": client.post(letters, query_string=lang, data={**aberdeen, "print": "all"}),
        "missing": client.get("/c/no-such-campaign", query_string=lang),
        "refused": client.post(
            letters, query_string=lang, data=CARDIFF_FORM, headers={"Origin": "https://x.test"}
        ),
    }
    assert [r.status_code for r in pages.values()] == [400, 200, 200, 404, 403]
    return {name: response.get_data(as_text=True) for name, response in pages.items()}


def as_written(monkeypatch) -> None:
    """Every template compiled as written, translated when rendered, as before."""
    in_language = Environment.in_language
    monkeypatch.setattr(Environment, "in_language", lambda env, code: in_language(env, AS_WRITTEN))


@pytest.mark.parametrize("language", ["cy", "en"])
def test_each_supporter_page_reads_the_same_compiled_in_its_language(
    welsh_app, monkeypatch, language
) -> None:
    def pages() -> dict[str, str]:
        client = welsh_app.test_client()
        return supporter_pages(client, language) | other_pages(client, language)

    compiled = pages()
    as_written(monkeypatch)
    rendered = pages()
    assert set(compiled) == set(rendered)
    for name, page in compiled.items():
        assert PER_REQUEST.sub("", page) == PER_REQUEST.sub("", rendered[name]), name


class Catalogue:
    """A catalogue in a made-up language: each message's words, reversed where it has them."""

    MESSAGES = {
        "Subject": "Pwnc",
        "Open %(app)s": "%(app)s: agor",
        "Hi %(who)s & 100%%": "100%% & hwyl %(who)s",
        "50% off": "50% i ffwrdd",
        "A long sentence that wraps": "Brawddeg hir",
        "Odd %(n)s": "Od %(n)d",  # a placeholder this can't read: left as written
        "one": "un",
        "%(count)s many": "%(count)s llawer",
        "It's <em>%(name)s</em>": "<em>%(name)s</em> yw hi",
    }

    def gettext(self, message: str) -> str:
        return self.MESSAGES.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


TEMPLATE = """\
<p>{{ _("Subject") }}|{{ _("Open %(app)s", app=name) }}|{{ _("Subject") if flag else "x" }}</p>
<p>{% trans who=name %}Hi {{ who }} & 100%{% endtrans %}|{% trans %}50% off{% endtrans %}</p>
<p>{% trans %}A long sentence
   that wraps{% endtrans %}|{% trans notrimmed %}A long sentence
   that wraps{% endtrans %}|{% trans n=3 %}Odd {{ n }}{% endtrans %}</p>
<p>{% trans count=n %}one{% pluralize %}{{ count }} many{% endtrans %}|</p>
<p>{% trans name %}It's <em>{{ name }}</em>{% endtrans %}</p>
<p>{{ _(dynamic) }}|{% trans label=_("Subject") %}Hi {{ label }} & 100%{% endtrans %}</p>
"""


def environments():
    """A template environment compiling in the made-up language, and one as written."""
    from jinja2 import Environment as Jinja

    from advocacy.platform import languages

    _catalogue, underscore, plain, plural = languages.bound(Catalogue())

    def make(language):
        env = Jinja(autoescape=True, extensions=["jinja2.ext.i18n"])
        env.add_extension(translated_templates.CompiledTranslations)
        env.policies["ext.i18n.trimmed"] = True
        env.install_gettext_callables(gettext=plain, ngettext=plural, newstyle=False)
        env.globals["_"] = underscore
        env.language = language
        return env

    return make("xx"), make(AS_WRITTEN)


@pytest.mark.parametrize("n", [1, 4])
def test_a_template_compiled_in_a_language_renders_as_translated_when_rendered(
    monkeypatch, n
) -> None:
    monkeypatch.setattr(translated_templates, "catalogue", lambda language: Catalogue())
    compiled, written = environments()
    values = {"name": "<Siân>", "flag": True, "n": n, "dynamic": "Subject"}
    page = compiled.from_string(TEMPLATE).render(values)
    assert page == written.from_string(TEMPLATE).render(values)
    assert "Pwnc|&lt;Siân&gt;: agor|Pwnc" in page
    assert "100% & hwyl &lt;Siân&gt;|50% i ffwrdd" in page  # template text: "&" as written
    assert "Brawddeg hir|A long sentence\n   that wraps|Od 3" in page
    assert ("un|" if n == 1 else "4 llawer|") in page
    assert "<em>&lt;Siân&gt;</em> yw hi" in page
    assert "Pwnc|Hi Pwnc & 100%" in page


def test_what_it_can_settle_is_compiled_as_text_and_the_rest_left_to_render(monkeypatch) -> None:
    monkeypatch.setattr(translated_templates, "catalogue", lambda language: Catalogue())
    compiled, _written = environments()
    code = compiled.compile(TEMPLATE, raw=True)
    for text in ("Pwnc", "hwyl ", "50% i ffwrdd", "Brawddeg hir", " yw hi"):
        assert text in code
    for message in ("'Subject'", "Hi %(who)s", "A long sentence that wraps", "'50% off'"):
        assert message not in code
    # Left as written: a plural, a placeholder it can't read, _() of a variable.
    assert "'%(count)s many'" in code and "'Odd %(n)s'" in code and "l_0_dynamic" in code


ENGLISH_PLURALS = """\
<p>{% trans count=n %}one letter{% pluralize %}{{ count }} letters{% endtrans %}</p>
<p>{% trans count=n, title=name %}Your letter – {{ title }}{% pluralize %}Your letters – \
{{ title }}{% endtrans %}</p>
<p>{% trans n %}{{ n }} at 100%{% pluralize %}{{ n }} at 50% & <b>{{ n }}</b>{% endtrans %}</p>
<p>{% trans title=name, count=n %}{{ title }}: one{% pluralize count %}{{ title }}: \
{{ count }}{% endtrans %}</p>
<p>{% trans %}{{ n }} day
   left{% pluralize %}{{ n }} days
   left{% endtrans %}|{% trans count=items | length %}1 item{% pluralize %}{{ count }} items\
{% endtrans %}</p>
<p>{% trans count=items.count(1) %}a one{% pluralize %}{{ count }} ones{% endtrans %}</p>
"""


@pytest.mark.parametrize("n", [0, 1, 2, 4])
def test_english_plurals_compile_to_a_choice_that_renders_as_ngettext_would(n) -> None:
    """In English (no catalogue) a plural block is settled when compiling: "singular if the
    count is 1", as NullTranslations.ngettext has it, with its values escaped as before."""
    from babel.support import NullTranslations

    compiled, written = environments()
    compiled.language = "en"
    values = {"name": "<Siân>", "n": n, "items": [1] * n}
    original = translated_templates.catalogue
    try:
        translated_templates.catalogue = lambda language: NullTranslations()
        page = compiled.from_string(ENGLISH_PLURALS).render(values)
        code = compiled.compile(ENGLISH_PLURALS, raw=True)
    finally:
        translated_templates.catalogue = original
    assert page == written.from_string(ENGLISH_PLURALS).render(values)
    assert ("one letter" if n == 1 else f"{n} letters") in page
    assert ("Your letter – &lt;Siân&gt;" if n == 1 else "Your letters – &lt;Siân&gt;") in page
    assert (f"{n} at 100%" if n == 1 else f"{n} at 50% & <b>{n}</b>") in page
    assert (f"{n} day left" if n == 1 else f"{n} days left") in page
    # Settled when compiling, but for the count with a call in it (Jinja evaluates it once).
    assert "'%(count)s ones'" in code
    for message in ("'%(count)s letters'", "Your letters – %(title)s", "%(n)s days left"):
        assert message not in code
    assert "Your letters – " in code and " days left" in code

"""Which language a supporter's page is in, with no cookie: the address says it, else the browser.

A supporter who picks a language gets ``?lang=cy`` (or ``?lang=en``) in the address, and every
step carries it on (``public.carried``), so a shared link or the back button keeps it and we set
no cookie. Without it, the browser's ``Accept-Language`` picks the first visit's language, and the
links don't carry one: the next page asks the browser again and gets the same answer. Why the
query rather than a ``/cy/`` prefix: the flow already carries its ``ref`` and embed theme this
way, through GET forms, POSTs and the embed, so one mechanism carries all three; and every route
stays one route.

Only the languages in the ``LANGUAGES`` setting are offered. A language is listed there once its
catalogue (``advocacy/translations/<lang>/LC_MESSAGES/messages.po``) covers every supporter-facing
message, which the tests check, so a deployment never advertises a half-translated site.

Translation goes through Flask-Babel's catalogues, but templates don't call its ``gettext`` for
each string: that looks up the locale and the catalogue on every call (7.6 µs on the benchmark
machine, against 0.2 µs for a literal; a letters page has dozens of strings). Most of a
template's messages are translated when it is compiled, once per language
(``translated_templates``); for the rest, the catalogue is looked up once a request and bound to
the template's ``_``.
"""

from collections.abc import Iterable
from urllib.parse import urlencode

import flask_babel
from babel.support import NullTranslations
from flask import Flask
from flask import current_app
from flask import g
from flask import has_request_context
from flask import request
from markupsafe import Markup
from werkzeug.http import parse_accept_header

from advocacy.letters.message import N_  # noqa: F401 (marks messages where the platform defines them)
from advocacy.letters.message import Message

DEFAULT = "en"
NAMES = {"en": "English", "cy": "Cymraeg"}  # each in its own language, for the switch link
HTML_LANG = {"en": "en-GB", "cy": "cy"}
PARAM = "lang"
EXTENSION = "advocacy.platform.languages"  # app.extensions: the offered languages
# Supporter-facing blueprints: their pages follow the supporter's language; the studio is English.
SUPPORTER_BLUEPRINTS = frozenset({"public", "site"})
_NULL = NullTranslations()


def enabled(config_value: str | Iterable[str]) -> tuple[str, ...]:
    """The ``LANGUAGES`` setting as a tuple of known codes, English first and always there."""
    codes = config_value.split(",") if isinstance(config_value, str) else list(config_value)
    wanted = [code.strip().lower() for code in codes]
    return (DEFAULT, *(code for code in NAMES if code != DEFAULT and code in wanted))


def negotiate(asked: str | None, accept_language: str | None, offered: tuple[str, ...]) -> str:
    """The page's language: the one the address asks for if offered, else the browser's best
    match among those offered, else English. Pure, so the page cache can key on it too."""
    if asked in offered:
        return asked
    if len(offered) > 1 and accept_language:
        # Best quality first; "cy-GB" is Welsh. (Werkzeug's best_match takes an exact match of
        # lower quality over a regional one: "en-GB,cy;q=0.5" would be Welsh.)
        for value, quality in parse_accept_header(accept_language):
            primary = value.partition("-")[0].lower()
            if quality > 0 and primary in offered:
                return primary
    return DEFAULT


def explicit() -> str | None:
    """The language the address asks for, when it is one we offer (what the links carry on)."""
    languages = offered()
    if len(languages) < 2:  # English only: nothing to ask for (and nothing to parse)
        return None
    asked = request.args.get(PARAM)
    return asked if asked in languages else None


def offered() -> tuple[str, ...]:
    return current_app.extensions[EXTENSION]


def current() -> str:
    """This request's language (English outside a request and in the studio)."""
    if not has_request_context() or len(offered()) < 2:
        return DEFAULT
    try:
        return g.language
    except AttributeError:
        pass
    language = DEFAULT
    if request.blueprint in SUPPORTER_BLUEPRINTS:
        language = negotiate(
            request.args.get(PARAM), request.headers.get("Accept-Language"), offered()
        )
    elif request.blueprint == "api":
        language = api_language(offered())
    g.language = language
    return language


def api_language(languages: tuple[str, ...]) -> str:
    """The language of an API answer's messages for supporters: the one the request asks for
    (``?language=``, or the letters' ``"language"``), else English. Never ``Accept-Language``:
    a partner's form in English, fetched from a browser set to Welsh, must not turn Welsh."""
    asked = request.args.get("language")
    if asked is None and request.is_json:
        body = request.get_json(silent=True)
        asked = body.get("language") if isinstance(body, dict) else None
    return asked if isinstance(asked, str) and asked in languages else DEFAULT


def _translations():
    """This request's catalogue, looked up once."""
    if not has_request_context():
        return _NULL
    try:
        return g.translations
    except AttributeError:
        pass
    g.translations = flask_babel.get_translations() if current() != DEFAULT else _NULL
    return g.translations


def gettext(message: str, **variables: object) -> str:
    """``message`` in this request's language, as plain text (``%(name)s`` filled in)."""
    return bound(_translations())[2](message, **variables)


def template_gettext(message: str, **variables: object) -> Markup:
    """A template's ``_()`` where the page's own is not in its context (the page's is bound by
    ``language_context``): the catalogue is ours, as trusted as the template text it stands
    for, so its apostrophes and any markup stay as written; the values put into it are
    escaped."""
    return bound(_translations())[1](message, **variables)


# Per catalogue: (the catalogue, then its _, gettext and ngettext for templates).
_BOUND: dict[int, tuple] = {}


def bound(translations) -> tuple:
    """A catalogue's template callables, made once: ``_`` keeps each message it has looked up
    (a template's messages are its literals, a bounded set), so a page's dozens of strings
    cost a dictionary lookup each, as the literals they replaced cost nothing."""
    entry = _BOUND.get(id(translations))
    if entry is not None and entry[0] is translations:
        return entry
    kept: dict[str, Markup] = {}

    def underscore(message: str, **variables: object) -> Markup:
        if variables:
            return Markup(translations.gettext(message)) % variables
        text = kept.get(message)
        if text is None:
            text = kept[message] = Markup(translations.gettext(message))
        return text

    def plain(message: str, **variables: object) -> str:
        text = translations.gettext(message)
        return text % variables if variables else text

    def plural(singular: str, plural_: str, num: int, **variables: object) -> str:
        text = translations.ngettext(singular, plural_, num)
        return text % {"num": num, **variables} if variables else text

    entry = _BOUND[id(translations)] = (translations, underscore, plain, plural)
    return entry


def lang_attr(code: str) -> Markup:
    """`` lang="en"`` for text in ``code`` on a page in another language (WCAG 3.1.2: screen
    readers voice it in its own language); nothing on a page in the same one."""
    return Markup(' lang="%s"') % code if code != current() else Markup("")


def text_lang(campaign) -> Markup:
    """``lang_attr`` for a campaign's own text: English on a Welsh page until it has Welsh."""
    return lang_attr(campaign.language)


def campaign_text(text: str, campaign) -> Markup | str:
    """Campaign text inside a sentence of the page, marked when its language differs."""
    if campaign.language == current():
        return text
    return Markup('<span lang="%s">%s</span>') % (campaign.language, text)


def translate(text: str) -> str:
    """A message in this request's language: a ``Message`` (``advocacy.letters.message``) with
    the values put into it, translated too where they are messages; any other text as the
    catalogue has it, or as it is."""
    if _translations() is _NULL:  # English: a message already reads as it is shown
        return text
    params = getattr(text, "params", None)
    translated = gettext(getattr(text, "msgid", text))
    if not params:
        return translated
    return translated % {
        key: translate(value) if isinstance(value, Message) else value
        for key, value in params.items()
    }


def ngettext(singular: str, plural: str, num: int, **variables: object) -> str:
    """The form for ``num``, formatted with ``variables`` (and ``num``) when any are given; a
    template's ``{% trans count=... %}`` block formats its own."""
    return bound(_translations())[3](singular, plural, num, **variables)


def _no_switch() -> list[dict[str, str | None]]:
    """``switch_links`` where English is the only language: nothing to switch to."""
    return []


def switch_links() -> list[dict[str, str | None]]:
    """The other languages' addresses for this page: the visible switch and ``hreflang`` links.

    A page a supporter reaches by POST (the letters, a step with errors) has no address to link
    to: its entries have no ``href``, and the page's template sends its own form again in the
    other language instead (templates/base.html, ``language_switch``), so nothing typed is lost.
    """
    if request.blueprint not in SUPPORTER_BLUEPRINTS or len(offered()) < 2:
        return []
    here = current()
    args = request.args.to_dict(flat=False)
    links = []
    for code in offered():
        if code != here:
            args[PARAM] = [code]
            href = request.script_root + request.path + "?" + urlencode(args, doseq=True)
            links.append(
                {
                    "code": code,
                    "name": NAMES[code],
                    "href": href if request.method == "GET" else None,
                }
            )
    return links


def init_app(app: Flask) -> None:
    app.config.setdefault("LANGUAGES", DEFAULT)
    app.extensions[EXTENSION] = enabled(app.config["LANGUAGES"])
    flask_babel.Babel(app, locale_selector=current, configure_jinja=False)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    # A {% trans %} block's message is its text with runs of whitespace made one space, as
    # babel.cfg extracts it, so a template can wrap a long sentence.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.install_gettext_callables(gettext=gettext, ngettext=ngettext, newstyle=False)
    # The extension's "_" looks "gettext" up in the template's context on every call (11 µs a
    # string on the benchmark machine); ours is the function itself. Its values are escaped
    # and its text kept as written, as a {% trans %} block's; "gettext" gives plain text (for
    # a value a filter such as urlencode works on).
    app.jinja_env.globals["_"] = template_gettext
    app.jinja_env.globals["translate"] = translate  # a message from the code (an error, a notice)
    app.jinja_env.filters["translate"] = translate

    @app.context_processor
    def language_context() -> dict:
        _catalogue, underscore, plain, plural = bound(_translations())
        return {
            # This request's catalogue, bound once per page: what {% trans %} and _() call.
            "_": underscore,
            "gettext": plain,
            "ngettext": plural,
            "page_lang": HTML_LANG[current()],
            "page_language": current(),  # its code: "en", "cy"
            "switch_links": switch_links if len(offered()) > 1 else _no_switch,
            "lang_attr": lang_attr,
            "text_lang": text_lang,
            "campaign_text": campaign_text,
            "language_names": NAMES,
        }

    if len(app.extensions[EXTENSION]) < 2:
        return  # English only: no link carries a language

    @app.url_defaults
    def carry_language(endpoint: str, values: dict) -> None:
        """Links from a page in an explicitly chosen language keep it."""
        if (
            has_request_context()
            and PARAM not in values
            and endpoint.partition(".")[0] in SUPPORTER_BLUEPRINTS
            and endpoint != "static"
            and (asked := explicit())
        ):
            values[PARAM] = asked

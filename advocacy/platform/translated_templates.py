"""Templates translated as they compile: one compiled copy of each template per language.

Rendered as written, a template's ``{{ _("Subject") }}`` looks its message up each time a page
is drawn, and a ``{% trans heading=… %}To {{ heading }}{% endtrans %}`` block also formats its
values through ``Markup.__mod__``. On the letters page, with dozens of strings per letter, that
was a quarter of the template's time (benchmarks/README.md, issue 23). The catalogues don't
change while the app runs, so each language gets an overlay of the Jinja environment whose
templates are compiled with their messages already translated: the translated text becomes
template text, and the block's values become ordinary ``{{ }}`` output, escaped as they were.

What can't be settled when compiling is left as written and translated when rendered (as
``languages.py`` binds it): plural forms but in English (where the count picks one of the two
as the block is drawn), ``_()`` of anything but a literal, and a message whose
translation has a ``%`` this can't read. ``render_template_string`` compiles on the app's own
environment, which translates when rendering too.

Only Jinja's public extension interface is used: ``Extension.filter_stream`` rewrites the
template's tokens before Jinja parses them, so the parser, the i18n extension and the compiled
code are Jinja's own.
"""

import re
from collections.abc import Iterator
from collections.abc import Sequence

import flask_babel
from babel.support import NullTranslations
from flask import templating
from jinja2.ext import Extension
from jinja2.lexer import TOKEN_ASSIGN
from jinja2.lexer import TOKEN_BLOCK_BEGIN
from jinja2.lexer import TOKEN_BLOCK_END
from jinja2.lexer import TOKEN_COMMA
from jinja2.lexer import TOKEN_DATA
from jinja2.lexer import TOKEN_EQ
from jinja2.lexer import TOKEN_INTEGER
from jinja2.lexer import TOKEN_LPAREN
from jinja2.lexer import TOKEN_NAME
from jinja2.lexer import TOKEN_PIPE
from jinja2.lexer import TOKEN_RPAREN
from jinja2.lexer import TOKEN_STRING
from jinja2.lexer import TOKEN_VARIABLE_BEGIN
from jinja2.lexer import TOKEN_VARIABLE_END
from jinja2.lexer import Token
from jinja2.lexer import TokenStream

from advocacy.platform import languages

# The environment that compiles as written and translates when rendering.
AS_WRITTEN = ""
OPENING = frozenset({"lparen", "lbracket", "lbrace"})
CLOSING = frozenset({"rparen", "rbracket", "rbrace"})
# What Jinja's i18n extension makes of a {% trans %} block's text when trimming it.
_WHITESPACE = re.compile(r"\s*\n\s*")
# A translation's placeholders and escaped percent signs; any other "%" can't be read here.
_PERCENT = re.compile(r"%\((\w+)\)s|%%")


class Environment(templating.Environment):
    """Flask's environment, handing each template to its language's overlay.

    ``language`` is None on the app's own environment: asked for a template, it gives the one
    compiled for this request's language (``languages.current``: English in the studio and
    outside requests). ``{% extends %}`` and ``{% include %}`` then load from that overlay.
    """

    language: str | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.overlays: dict[str, Environment] = {}
        self.add_extension(CompiledTranslations)

    def get_template(self, name, parent=None, globals=None):
        if self.language is None:
            return self.in_language(languages.current()).get_template(name, parent, globals)
        return super().get_template(name, parent, globals)

    def select_template(self, names, parent=None, globals=None):
        if self.language is None:
            return self.in_language(languages.current()).select_template(names, parent, globals)
        return super().select_template(names, parent, globals)

    def in_language(self, code: str) -> "Environment":
        """The overlay compiling for ``code`` (``AS_WRITTEN``: translating when rendering). It
        shares the app's filters, globals and loader; its compiled templates are its own. Made
        on first use, once the app has set its environment up."""
        try:
            return self.overlays[code]
        except KeyError:
            pass
        overlay = self.overlay()
        overlay.language = code
        self.overlays[code] = overlay
        return overlay


class CompiledTranslations(Extension):
    """Rewrites a template's translatable messages into its language, token by token."""

    def filter_stream(self, stream: TokenStream) -> TokenStream | Iterator[Token]:
        language = getattr(self.environment, "language", None)
        if not language:
            return stream
        trimmed = self.environment.policies.get("ext.i18n.trimmed", False)
        tokens = list(stream)
        return TokenStream(
            translated(tokens, catalogue(language), trimmed), stream.name, stream.filename
        )


def catalogue(language: str):
    """The catalogue a page in ``language`` reads at run time (none for English, whose
    messages are the text)."""
    if language == languages.DEFAULT:
        return NullTranslations()
    with flask_babel.force_locale(language):
        return flask_babel.get_translations()


def translated(tokens: Sequence[Token], translations, trimmed: bool) -> Iterator[Token]:
    """The tokens with each message this can settle put in the catalogue's words."""
    i = 0
    while i < len(tokens):
        found = (
            _output(tokens, i, translations)
            or _literal(tokens, i, translations)
            or _block(tokens, i, translations, trimmed)
        )
        if found is None:
            yield tokens[i]
            i += 1
        else:
            replacement, i = found  # its values may hold messages too (new_tab=_("…"))
            yield from translated(replacement, translations, trimmed)


def _output(tokens: Sequence[Token], i: int, translations):
    """``{{ _("literal") }}`` or ``{{ _("literal %(x)s", x=…) }}``: its text as template text
    (the catalogue is trusted as the template is), each value as a ``{{ }}`` of its own."""
    if not _is(tokens, i, TOKEN_VARIABLE_BEGIN) or not _is(tokens, i + 1, TOKEN_NAME, "_"):
        return None
    if not _is(tokens, i + 2, TOKEN_LPAREN) or not _is(tokens, i + 3, TOKEN_STRING):
        return None
    line = tokens[i].lineno
    text = translations.gettext(tokens[i + 3].value)
    if _is(tokens, i + 4, TOKEN_RPAREN) and _is(tokens, i + 5, TOKEN_VARIABLE_END):
        return [Token(line, TOKEN_DATA, text)], i + 6  # no values: no formatting either
    if not _is(tokens, i + 4, TOKEN_COMMA):
        return None
    values, end = _arguments(tokens, i + 5, TOKEN_RPAREN)
    if values is None or not _is(tokens, end + 1, TOKEN_VARIABLE_END):
        return None
    pieces = _pieces(text, values, line)
    return None if pieces is None else (pieces, end + 2)


def _literal(tokens: Sequence[Token], i: int, translations):
    """``_("literal")`` within an expression: the same safe string, made when compiling."""
    if not _is(tokens, i, TOKEN_NAME, "_") or (i > 0 and tokens[i - 1].type == "dot"):
        return None
    if not _is(tokens, i + 1, TOKEN_LPAREN) or not _is(tokens, i + 2, TOKEN_STRING):
        return None
    if not _is(tokens, i + 3, TOKEN_RPAREN):
        return None
    line = tokens[i].lineno
    return [
        Token(line, TOKEN_LPAREN, "("),
        Token(line, TOKEN_STRING, translations.gettext(tokens[i + 2].value)),
        Token(line, TOKEN_PIPE, "|"),
        Token(line, TOKEN_NAME, "safe"),
        Token(line, TOKEN_RPAREN, ")"),
    ], i + 4


def _block(tokens: Sequence[Token], i: int, translations, trimmed: bool):
    """``{% trans x=… %}…{{ x }}…{% endtrans %}``: its text, values as ``{{ }}``. A plural
    block too, in English (``_english_plural``); in other languages it is left as written."""
    if not _is(tokens, i, TOKEN_BLOCK_BEGIN) or not _is(tokens, i + 1, TOKEN_NAME, "trans"):
        return None
    line = tokens[i].lineno
    j = i + 2
    keyword = _is(tokens, j, TOKEN_NAME, "trimmed") or _is(tokens, j, TOKEN_NAME, "notrimmed")
    if keyword and not _is(tokens, j + 1, TOKEN_ASSIGN):
        trimmed = tokens[j].value == "trimmed"
        j += 1 + _is(tokens, j + 1, TOKEN_COMMA)
    values, j = _arguments(tokens, j, TOKEN_BLOCK_END)
    if values is None:
        return None
    singular, referenced, j = _text(tokens, j + 1, trimmed)
    if singular is None:
        return None
    if _is(tokens, j, TOKEN_NAME, "endtrans") and _is(tokens, j + 1, TOKEN_BLOCK_END):
        j += 2
    else:
        return _english_plural(tokens, j, translations, trimmed, values, singular, referenced)
    if not referenced:
        if values:
            return None  # values formatted into text with no placeholder: left to Jinja
        return [Token(line, TOKEN_DATA, translations.gettext(singular.replace("%%", "%")))], j
    for name in referenced:
        values.setdefault(name, [Token(line, TOKEN_NAME, name)])
    pieces = _pieces(translations.gettext(singular), values, line)
    return None if pieces is None else (pieces, j)


def _english_plural(
    tokens: Sequence[Token],
    j: int,
    translations,
    trimmed: bool,
    values: dict[str, list[Token]],
    singular: str,
    referenced: list[str],
):
    """At ``{% pluralize [name] %}``: in a catalogue with no plural forms of its own
    (``NullTranslations``, whose ngettext is "singular if the count is 1"), the block becomes
    ``{% if (count) == 1 %}singular{% else %}plural{% endif %}``, each with its values as
    ``{{ }}``. The count is what Jinja's i18n extension takes: the name given to pluralize, else
    the block's first value, else the first name in its text; never one with a call in it
    (evaluated once by Jinja, it would be twice here)."""
    if type(translations) is not NullTranslations or not _is(tokens, j, TOKEN_NAME, "pluralize"):
        return None
    line = tokens[j].lineno
    count_name = None
    if _is(tokens, j + 1, TOKEN_NAME):
        count_name = tokens[j + 1].value
        j += 1
    if not _is(tokens, j + 1, TOKEN_BLOCK_END):
        return None
    plural, plural_referenced, j = _text(tokens, j + 2, trimmed)
    if plural is None or not _is(tokens, j, TOKEN_NAME, "endtrans"):
        return None
    if not _is(tokens, j + 1, TOKEN_BLOCK_END):
        return None
    if count_name is None:
        count_name = next(iter(values), None) or next(iter(referenced), None)
    for name in (*referenced, *plural_referenced):
        values.setdefault(name, [Token(line, TOKEN_NAME, name)])
    count = values.get(count_name or "")
    if count is None or any(token.type == TOKEN_LPAREN for token in count):
        return None
    forms = [_pieces(text, values, line) for text in (singular, plural)]
    if forms[0] is None or forms[1] is None:
        return None

    def tag(*inside: Token) -> list[Token]:
        return [Token(line, TOKEN_BLOCK_BEGIN, "{%"), *inside, Token(line, TOKEN_BLOCK_END, "%}")]

    test = [Token(line, TOKEN_NAME, "if"), Token(line, TOKEN_LPAREN, "(")]
    test += [*count, Token(line, TOKEN_RPAREN, ")"), Token(line, TOKEN_EQ, "==")]
    test += [Token(line, TOKEN_INTEGER, 1)]
    replacement = [*tag(*test), *forms[0], *tag(Token(line, TOKEN_NAME, "else")), *forms[1]]
    return [*replacement, *tag(Token(line, TOKEN_NAME, "endif"))], j + 2


def _text(tokens: Sequence[Token], j: int, trimmed: bool):
    """A block's text from ``j``: data, and names standing alone (``{{ x }}``), up to the
    ``{%`` of what ends it. (The message with each name as ``%(x)s``, the names, the index of
    the tag's name after that ``{%``); the message is None for anything else in the text."""
    parts: list[str] = []
    referenced: list[str] = []
    while True:
        if _is(tokens, j, TOKEN_DATA):
            parts.append(tokens[j].value.replace("%", "%%"))
            j += 1
        elif (
            _is(tokens, j, TOKEN_VARIABLE_BEGIN)
            and _is(tokens, j + 1, TOKEN_NAME)
            and _is(tokens, j + 2, TOKEN_VARIABLE_END)
        ):
            referenced.append(tokens[j + 1].value)
            parts.append(f"%({tokens[j + 1].value})s")
            j += 3
        elif _is(tokens, j, TOKEN_BLOCK_BEGIN) and _is(tokens, j + 1, TOKEN_NAME):
            if tokens[j + 1].value not in ("endtrans", "pluralize"):
                return None, referenced, j
            break
        else:
            return None, referenced, j
    message = "".join(parts)
    if trimmed:
        message = _WHITESPACE.sub(" ", message.strip())
    return message, referenced, j + 1


def _arguments(tokens: Sequence[Token], i: int, closer: str):
    """``name=expression, …`` up to ``closer`` at depth 0: ({name: expression tokens}, the
    closer's index), or (None, i) when it is anything else."""
    values: dict[str, list[Token]] = {}
    while not _is(tokens, i, closer):
        if values:
            if not _is(tokens, i, TOKEN_COMMA):
                return None, i
            i += 1
        if not _is(tokens, i, TOKEN_NAME) or tokens[i].value in values:
            return None, i
        name = tokens[i].value
        if not _is(tokens, i + 1, TOKEN_ASSIGN):
            values[name] = [tokens[i]]  # a name standing for itself
            i += 1
            continue
        i += 2
        expression: list[Token] = []
        depth = 0
        while i < len(tokens):
            token = tokens[i]
            if depth == 0 and (token.type == closer or token.type == TOKEN_COMMA):
                break
            depth += token.type in OPENING
            depth -= token.type in CLOSING
            expression.append(token)
            i += 1
        if not expression or i >= len(tokens):
            return None, i
        values[name] = expression
    return values, i


def _pieces(text: str, values: dict[str, list[Token]], line: int) -> list[Token] | None:
    """``text`` as template text with each ``%(name)s`` a ``{{ expression }}`` (escaped as
    ``Markup % values`` escapes it) and ``%%`` a ``%``; None if it has a ``%`` of another kind
    or a name it isn't given."""
    out: list[Token] = []
    position = 0
    for match in _PERCENT.finditer(text):
        between = text[position : match.start()]
        if "%" in between:
            return None
        name = match.group(1)
        if name is None:
            out.append(Token(line, TOKEN_DATA, between + "%"))
        else:
            if name not in values:
                return None
            out.append(Token(line, TOKEN_DATA, between))
            out.append(Token(line, TOKEN_VARIABLE_BEGIN, "{{"))
            out.extend(values[name])
            out.append(Token(line, TOKEN_VARIABLE_END, "}}"))
        position = match.end()
    rest = text[position:]
    if "%" in rest:
        return None
    out.append(Token(line, TOKEN_DATA, rest))
    return out


def _is(tokens: Sequence[Token], i: int, kind: str, value: str | None = None) -> bool:
    return (
        i < len(tokens) and tokens[i].type == kind and (value is None or tokens[i].value == value)
    )

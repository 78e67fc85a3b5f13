"""Text columns that no NUL character reaches: every text column in ``models`` is one of these.

PostgreSQL text cannot hold NUL (U+0000), and psycopg refuses to send one, so any text from a
request — a campaign address in a path, an email in a form, a label in a query string — that
carried one into a query used to be a 500. Deciding it here, where text meets the database,
covers every route, form and command, including ones added later, and SQLite and PostgreSQL
answer alike:

- a lookup (``==``, ``!=``, ``in_``) by text holding NUL matches nothing, as no stored text can
  hold one: the view sees "not found" and answers as it does for any unknown address or email;
- anything else (writing such text, say) raises ``TextWithNul``, which ``errors`` answers with
  400. Validation refuses control characters with a message by the field before that.
"""

from typing import Any

from sqlalchemy import String as _String
from sqlalchemy import Text as _Text
from sqlalchemy import false
from sqlalchemy.exc import StatementError
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

NUL = "\x00"


class TextWithNul(ValueError):
    """Text holding NUL was about to be sent to the database."""


def _has_nul(value: Any) -> bool:
    return isinstance(value, str) and NUL in value


def is_text_with_nul(exc: BaseException) -> bool:
    """Whether a database error is ``TextWithNul`` (SQLAlchemy wraps it in ``StatementError``)."""
    return isinstance(exc, StatementError) and isinstance(exc.orig, TextWithNul)


class _NoNul:
    """Shared by both column types; mixed into a ``TypeDecorator``."""

    class comparator_factory(TypeDecorator.Comparator, _String.comparator_factory):
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            if other and op in (operators.eq, operators.ne) and _has_nul(other[0]):
                # NULL never equals anything either, so != holds for every row with a value.
                return false() if op is operators.eq else self.expr.is_not(None)
            if other and op in (operators.in_op, operators.not_in_op):
                values = other[0]
                if isinstance(values, list | tuple | set | frozenset):
                    other = ([v for v in values if not _has_nul(v)], *other[1:])
            return super().operate(op, *other, **kwargs)

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if _has_nul(value):
            raise TextWithNul("Text holding a NUL character can't be stored.")
        return value


class String(_NoNul, TypeDecorator):
    """``VARCHAR(n)``, refusing NUL."""

    impl = _String
    cache_ok = True  # read from the class itself, not inherited


class Text(_NoNul, TypeDecorator):
    """``TEXT``, refusing NUL."""

    impl = _Text
    cache_ok = True

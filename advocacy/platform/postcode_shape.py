"""What a UK postcode looks like: cleaning a typed one, checking its shape, and the pattern the
log scrubber finds postcodes by.

Here, in the plumbing, because the lookup (``advocacy.places.postcodes``), the log scrubber and
the tally all need one answer to "is this a postcode?", and the scrubber must find whatever the
lookup accepts.
"""

import re
import string

_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
# Slips we silently drop: dashes, dots, commas, quotes, underscores and invisible characters.
# Characters that mean something in a URL (/ ? # % & = +) are kept, so they make the value invalid.
_DROP = "-.,;:'\"`_\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2018\u2019\u201c\u201d"
_SLIPS = str.maketrans("", "", _DROP + "\u180e\u200b\u200c\u200d\u2060\ufeff")
# A postcode place by place, outward code then inward: L a letter, D a digit, X either, lower
# case a place that may be missing; other characters stand for themselves (Girobank's GIR 0AA).
# The lookup's pattern and the log scrubber's (advocacy/platform/logs.py) are both built from
# these by `pattern`, so the scrubber finds whatever the lookup accepts.
_SHAPES = (("LlDx", "DLL"), ("GIR", "0AA"))
# Letters typed for the inward code's digit that `normalise` reads as that digit.
LOOKALIKE_DIGITS = {"O": "0"}
_MAX_LEN = 8  # "AA9A 9AA"


def pattern(
    *,
    between: str = "",
    space: str = " ",
    digit: str = "0-9",
    typed: bool = False,
) -> str:
    """A regular expression for a postcode, with ``between`` between its characters and
    ``space`` between its halves, and ``digit`` what a digit class holds (the scrubber: any
    script's digits).

    ``typed``: as a supporter may type it, before `normalise`: a look-alike letter where the
    inward code's digit belongs ("SE1 ODL"). The log scrubber matches that form in raw text.
    """
    classes = {"L": "A-Z", "D": digit, "X": "A-Z" + digit}

    def half(places: str, inward: bool) -> str:
        parts = []
        for i, place in enumerate(places):
            chars = classes.get(place.upper(), re.escape(place))
            if typed and inward and i == 0:  # the inward digit
                chars += "".join(k for k, v in LOOKALIKE_DIGITS.items() if place in ("D", v))
            sep = between if i else ""
            parts.append(f"(?:{sep}[{chars}])?" if place.islower() else f"{sep}[{chars}]")
        return "".join(parts)

    return "|".join(
        f"(?:{half(outward, False)}{space}{half(inward, True)})" for outward, inward in _SHAPES
    )


_POSTCODE = re.compile(pattern())


def normalise(value: str | None) -> str | None:
    """Clean typing slips so "sw1a-2dd " becomes "SW1A 2DD"; the result may still be invalid.

    Safe for None (WTForms filter). Only ASCII letters are upper-cased, so look-alikes such as
    a dotless "ı" can't turn into valid letters. The one letter fix (``LOOKALIKE_DIGITS``): an
    "O" where the inward code's digit belongs becomes "0", and only if that makes a valid
    postcode; a "0" is never turned into an "O", because "S016" and "SO16" are both well formed.
    The log scrubber reads the same table (`pattern`), so what is fixed here is scrubbed there.
    """
    if value is None:
        return None
    compact = "".join(value.split()).translate(_SLIPS).translate(_ASCII_UPPER)
    if not 5 <= len(compact) <= 7:  # too short or long to be a postcode: leave unspaced
        return compact
    digit = LOOKALIKE_DIGITS.get(compact[-3])
    if digit and is_valid(fixed := f"{compact[:-3]} {digit}{compact[-2:]}"):
        return fixed
    return f"{compact[:-3]} {compact[-3:]}"


def is_valid(pc: str) -> bool:
    """Check the UK format of an already normalised postcode (one space, upper case)."""
    return isinstance(pc, str) and len(pc) <= _MAX_LEN and _POSTCODE.fullmatch(pc) is not None

"""Dates as a letter in each of its languages writes them ("5 December 2026", "5 Rhagfyr
2026"), from the Unicode CLDR's month names through Babel rather than tables of our own."""

from datetime import date

from babel.dates import format_date

LOCALES = {"en": "en_GB", "cy": "cy"}


def day_in_words(day: date, language: str = "en") -> str:
    """A day as a letter is dated: "5 December 2026"."""
    return format_date(day, "d MMMM y", locale=LOCALES[language])


def month_in_words(day: date, language: str = "en") -> str:
    """A month as a sentence names it: "October 2025", "Hydref 2025"."""
    return format_date(day, "MMMM y", locale=LOCALES[language])

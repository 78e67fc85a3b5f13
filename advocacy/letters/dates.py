"""Dates as a letter in each of its languages writes them ("5 December 2026", "5 Rhagfyr
2026"). Welsh month names come from the Unicode CLDR through Babel rather than a table of our
own; English ones are written here, whatever the process's locale, so that an English letter
never loads CLDR's English data (5 MiB a worker, measured).
"""

from datetime import date

from babel.dates import format_date

ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August")
ENGLISH_MONTHS += ("September", "October", "November", "December")


def day_in_words(day: date, language: str = "en") -> str:
    """A day as a letter is dated: "5 December 2026"."""
    if language == "en":
        return f"{day.day} {month_in_words(day)}"
    return format_date(day, "d MMMM y", locale=language)


def month_in_words(day: date, language: str = "en") -> str:
    """A month as a sentence names it: "October 2025", "Hydref 2025"."""
    if language == "en":
        return f"{ENGLISH_MONTHS[day.month - 1]} {day.year}"
    return format_date(day, "MMMM y", locale=language)

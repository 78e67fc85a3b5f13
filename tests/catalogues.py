"""The translation catalogues as the repository holds them (.po), for the tests to read."""

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

CATALOGUES = Path(__file__).parents[1] / "advocacy" / "translations"


def read_catalogue(code: str) -> Catalog:
    with open(CATALOGUES / code / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=code)

"""Letters on paper: the address blocks of a letter a supporter prints and posts.

Addresses are kept on one line with commas ("1 Pacific Quay, Glasgow G51 1DZ"), as the bundled
data and the studio have them; on paper each part is a line, and the postcode has its own, as
Royal Mail asks. Pure: no Flask.
"""

import re
from collections.abc import Iterable
from datetime import date

from advocacy.letters import dates
from advocacy.letters.recipient import Recipient

# A full UK postcode at the end of a line ("Glasgow G51 1DZ"): it goes on a line of its own.
POSTCODE_AT_END = re.compile(r"\s+([A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2})$", re.IGNORECASE)


def lines(address: str | None) -> list[str]:
    """An address as the lines of an envelope: split at commas and line breaks."""
    parts = [p.strip() for p in re.split(r"[,\r\n]+", address or "") if p.strip()]
    if parts and (found := POSTCODE_AT_END.search(parts[-1])):
        parts[-1:] = [parts[-1][: found.start()].strip(), found.group(1).upper()]
    return parts


def _compact(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def recipient_block(recipient: Recipient) -> list[str]:
    """Who the letter is to, then where: the name once, even when the address starts with it."""
    address = lines(recipient.postal_address)
    if address and _compact(address[0]) == _compact(recipient.name):
        address = address[1:]
    return [recipient.name, *address]


def sender_block(name: str, address: str, postcode: str | None) -> list[str]:
    """The supporter's name and address, with the postcode unless the address has it."""
    block = [name.strip(), *lines(address)] if name.strip() else lines(address)
    if postcode and _compact(postcode) not in _compact(address):
        block.append(postcode)
    return block


def by_post(recipients: Iterable[Recipient]) -> list[int]:
    """The positions of the recipients a supporter prints and posts to."""
    return [i for i, r in enumerate(recipients) if r.by_post]


def dated(day: date, language: str = "en") -> str:
    """A letter's date as it is written in its language: "5 December 2026", "5 Rhagfyr 2026"."""
    return dates.day_in_words(day, language)

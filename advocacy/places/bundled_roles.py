"""The bundled target roles' recipients: rows of ``advocacy/data``'s CSVs turned into MPs,
police forces and their oversight bodies.

``advocacy.places.roles`` declares the roles with these loaders; this module imports neither it
nor the directory, so the three import in one direction only.
"""

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from advocacy.letters.addressing import mp_salutation
from advocacy.letters.addressing import mp_salutation_cy
from advocacy.letters.recipient import Recipient
from advocacy.letters.reference import rows

if TYPE_CHECKING:
    from advocacy.places.postcodes import Place

MP_CONTACT_URL = "https://members.parliament.uk/member/{member_id}/contact"
MP_REVIEW_REASON = "no email address published: supporters use their contact page on parliament.uk"
NORTHERN_IRELAND_PFA = "N99999999"
# Force names that read wrongly without "the" ("policed by the Metropolitan Police Service").
# Every oversight body takes it ("the Scottish Police Authority", "the Kent Police and Crime
# Commissioner").
FORCES_WITH_ARTICLE = {"E23000001", "E23000034", "N99999999"}
# Only if the CSV left a salutation blank: never the organisation's name.
UNKNOWN_SALUTATION = "Sir or Madam"
Rows = Iterable[Mapping[str, str]]  # a role's CSV rows, all its files in order


def mp(row: Mapping[str, str]) -> Recipient:
    email = row["email"].strip() or None
    return Recipient(
        role="mp",
        name=row["name"],
        email=email,
        contact_url=None if email else MP_CONTACT_URL.format(member_id=row["member_id"]),
        salutation=mp_salutation(row["name"]),
        salutation_cy=mp_salutation_cy(row["name"]),
        party=row["party"] or None,
        needs_review=email is None,
        member_id=int(row["member_id"]),
        review_reason=None if email else MP_REVIEW_REASON,
    )


def dear(text: str) -> str:
    """A salutation as the words after "Dear": the CSV says "Dear Chief Constable"."""
    text = text.strip().rstrip(",").strip()
    if text.casefold().startswith("dear "):
        text = text[5:].strip()
    return text


@cache
def welsh_salutations() -> dict[str, str]:
    """English salutation → the words after "Annwyl" (advocacy/data/salutations_cy.csv)."""
    return {row["salutation"]: row["salutation_cy"] for row in rows("salutations_cy.csv")}


@cache
def welsh_names() -> dict[str, Mapping[str, str]]:
    """Force area code → the Welsh names of its force and oversight body (police_names_cy.csv)."""
    return {row["pfa_code"]: row for row in rows("police_names_cy.csv")}


def police_force(row: Mapping[str, str]) -> Recipient:
    salutation = dear(row["force_salutation"]) or UNKNOWN_SALUTATION
    return Recipient(
        role="police_force",
        name=row["force_name"],
        email=None,  # forces take correspondence through web forms, not a published address
        contact_url=row["force_contact_url"] or None,
        salutation=salutation,
        salutation_cy=welsh_salutations().get(salutation),
        website=row["force_website"] or None,
        article="the" if row["pfa_code"] in FORCES_WITH_ARTICLE else "",
        name_cy=welsh_names().get(row["pfa_code"], {}).get("force_name_cy") or None,
    )


def police_oversight(row: Mapping[str, str]) -> Recipient:
    # The review reason is about the oversight body's address, so it goes on this recipient.
    salutation = dear(row["oversight_salutation"]) or UNKNOWN_SALUTATION
    return Recipient(
        role="police_oversight",
        name=row["oversight_name"],
        email=row["oversight_email"] or None,
        contact_url=None,  # none confirmed; the website below is a home page
        salutation=salutation,
        salutation_cy=welsh_salutations().get(salutation),
        kind=row["oversight_kind"],
        needs_review=row["needs_review"] == "yes",
        # Never the force's own site: that is another organisation with another inbox.
        website=row["oversight_website"] or None,
        review_reason=row["review_reason"] or None,
        article="the",
        postal_address=row.get("oversight_postal_address") or None,
        name_cy=welsh_names().get(row["pfa_code"], {}).get("oversight_name_cy") or None,
    )


def force_area_code(place: "Place") -> str | None:
    """The police force area code of a place; Northern Ireland's comes as a pseudo code."""
    if place.pfa_code is None and place.country == "Northern Ireland":
        return NORTHERN_IRELAND_PFA
    return place.pfa_code


def by_code(
    key: str, recipient: Callable[[Mapping[str, str]], Recipient]
) -> Callable[[Rows], dict[str, Recipient]]:
    """A loader keying one recipient per row by the row's area code column."""

    def load(rows: Rows) -> dict[str, Recipient]:
        return {row[key]: recipient(row) for row in rows}

    return load

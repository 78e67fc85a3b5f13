"""Recipients as counts know them, and the reply link a supporter keeps.

A recipient is a role and a code: the constituency code for an MP, the police force area code for
a force or its oversight body, and a slug of the name for a recipient the campaign names itself.
Those pairs are all that is counted per recipient, and all a reply link carries
(``/c/<slug>/reply?r=mp:E14001172&r=police_force:E23000001``): nothing about the supporter.
"""

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

from advocacy.letters.campaigns import MAX_FIXED_RECIPIENTS
from advocacy.letters.campaigns import TARGET_ROLES
from advocacy.letters.campaigns import Campaign
from advocacy.letters.campaigns import fixed_key
from advocacy.letters.campaigns import nation_of
from advocacy.letters.recipient import Recipient
from advocacy.places import pipeline
from advocacy.places.directory import Directory
from advocacy.places.postcodes import Place

Key = tuple[str, str]  # role, code
# A police force area's nation from the first letter of its GSS code (E23…, W15…, S32…, and the
# N99999999 pseudo code): areas never cross the borders between nations.
AREA_NATIONS = {"E": "england", "W": "wales", "S": "scotland", "N": "northern_ireland"}
# As many recipients as a campaign can have (validation caps the fixed ones); the rest of a link
# is ignored.
MAX_KEYS = len(TARGET_ROLES) + MAX_FIXED_RECIPIENTS


def key_of(recipient: Recipient, place: Place, book: Directory) -> Key | None:
    """The role and code a letter to ``recipient`` at ``place`` is counted under."""
    if recipient.role == "mp":
        return ("mp", place.constituency_code) if place.constituency_code else None
    if recipient.role in ("police_force", "police_oversight"):
        area = book.area_for(place)
        return (recipient.role, area.code) if area else None
    if recipient.role == "fixed":
        return ("fixed", fixed_key(recipient.name))
    return None


def keys_for(place: Place, recipients: Iterable[Recipient]) -> list[Key]:
    book = pipeline.directory()
    return [key for r in recipients if (key := key_of(r, place, book)) is not None]


def recipient(campaign: Campaign, role: str, code: str) -> Recipient | None:
    """The campaign's recipient with that role and code (directory as corrected), else None:
    a role the campaign doesn't target, a code no such recipient has, a place in a nation the
    campaign doesn't write for, or a seat or body with nobody named (nobody was written to)."""
    if role == "fixed":
        return next(
            (r for r in pipeline.fixed_recipients(campaign) if fixed_key(r.name) == code), None
        )
    if role not in campaign.targets:
        return None
    book = pipeline.directory()
    if role == "mp":
        constituency = book.constituencies.get(code)
        found = book.mps.get(code)
        nation = nation_of(constituency.country) if constituency else None
    else:
        area = book.force_areas.get(code)
        if area is None:
            return None
        found = area.force if role == "police_force" else area.oversight
        nation = AREA_NATIONS.get(code[:1])
    if found is None or not found.name or nation not in campaign.nations:
        return None
    return found


@dataclass(frozen=True)
class Asked:
    """One recipient on the reply page."""

    role: str
    code: str
    recipient: Recipient

    @property
    def key(self) -> str:
        return f"{self.role}:{self.code}"


def parse(campaign: Campaign, values: Sequence[str]) -> list[Asked]:
    """The campaign's recipients named by ``r=role:code`` values, in order, each once; anything
    else is left out."""
    out: list[Asked] = []
    for value in values[:MAX_KEYS]:
        role, _, code = value.partition(":")
        found = recipient(campaign, role, code)
        if found is not None and all((a.role, a.code) != (role, code) for a in out):
            out.append(Asked(role, code, found))
    return out


def link_values(keys: Iterable[Key]) -> list[str]:
    """``r`` values for a reply link."""
    return [f"{role}:{code}" for role, code in keys]

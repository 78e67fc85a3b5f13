"""Who to write to: bundled reference data turned into recipients for a place.

The CSVs under ``advocacy/data`` (sources in ``data/SOURCES.md``) are read once per process.
Each target role ("mp", "police_force", "police_oversight") is declared in
``advocacy.places.roles`` with its file and loader (the bundled loaders are in
``bundled_roles``), and a deployment registers its own the same way. Staff overrides from the
database are laid over them by the caller (``Directory.with_overrides``), so this module stays
free of Flask and of I/O beyond reading data files.
"""

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from functools import cache
from itertools import chain
from pathlib import Path

from advocacy.letters.message import N_
from advocacy.letters.recipient import Recipient
from advocacy.letters.reference import fact_in_words
from advocacy.letters.reference import force_facts
from advocacy.letters.reference import rows
from advocacy.places import roles
from advocacy.places.bundled_roles import NORTHERN_IRELAND_PFA
from advocacy.places.bundled_roles import force_area_code
from advocacy.places.postcodes import NOWHERE
from advocacy.places.postcodes import Place
from advocacy.places.roles import Role

ROLES = roles.BUNDLED  # the roles in the bundled data; roles.keys() adds a deployment's own
NATIONS = ("England", "Scotland", "Wales", "Northern Ireland")


# Places postcodes.io knows outside the four nations: the Crown Dependencies, which have their own
# government and police and no MP at Westminster. How a sentence names each, and its pronoun.
CROWN_DEPENDENCIES = {
    "Channel Islands": N_(
        "The Channel Islands are Crown Dependencies: they have their own police and no MP at "
        "Westminster."
    ),
    "Isle of Man": N_(
        "The Isle of Man is a Crown Dependency: it has its own police and no MP at Westminster."
    ),
}
ONLY_THE_UK = N_(
    "This campaign writes to MPs and police in England, Scotland, Wales and Northern Ireland, so "
    "it can't write for you there. If you live in one of those, enter the postcode of your home "
    "address there."
)


class OutsideCoverage(Exception):
    """The place has no MP or police force we can write to (Channel Islands, Isle of Man...)."""

    def __init__(self, country: str | None) -> None:
        self.country = country
        if country in NATIONS:
            # A UK postcode with no constituency (new, or special): the lists still work.
            message = N_(
                "We couldn't match this postcode to a constituency. Please choose your "
                "constituency and police force from the lists."
            )
        else:
            where = CROWN_DEPENDENCIES.get(country or "") or (
                N_(
                    "%(place)s is outside the UK: it has its own police and no MP at Westminster.",
                    place=country,
                )
                if country
                else N_(
                    "This postcode is outside the UK: it has its own police and no MP at "
                    "Westminster."
                )
            )
            message = N_("%(where)s %(only_the_uk)s", where=where, only_the_uk=ONLY_THE_UK)
        super().__init__(message)

    @property
    def in_the_uk(self) -> bool:
        """A UK postcode the lists can stand in for; elsewhere the lists don't apply."""
        return self.country in NATIONS


class UnknownArea(ValueError):
    """A constituency or police force area code that is not in the bundled data."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Constituency:
    code: str
    name: str
    country: str


@dataclass(frozen=True)
class ForceArea:
    code: str
    name: str
    force: Recipient
    oversight: Recipient


def _load(role: Role, read: Callable[[str | Path], list[dict[str, str]]]) -> dict[str, Recipient]:
    """A role's recipients by area code, checked: overrides and tallies go by their ``role``.

    :raise ValueError: the loader gave a recipient another role's key.
    """
    table = dict(role.load(chain.from_iterable(read(name) for name in role.files)))
    wrong = sorted({r.role for r in table.values()} - {role.key})
    if wrong:
        raise ValueError(f"The {role.key!r} loader made recipients with role {wrong}.")
    return table


class Directory:
    """Constituencies and police force areas, and each target role's recipients by area code.

    ``by_role`` holds every role's recipients, the bundled ones and any a deployment
    registered; ``mps`` and ``force_areas`` are the bundled ones as the studio and the
    manual-choice lists want them.
    """

    def __init__(
        self,
        constituencies: Iterable[Constituency],
        mps: Mapping[str, Recipient],
        force_areas: Iterable[ForceArea],
        others: Mapping[str, Mapping[str, Recipient]] | None = None,
    ) -> None:
        self.constituencies = {c.code: c for c in constituencies}
        self.force_areas = {f.code: f for f in force_areas}
        self.by_role: dict[str, dict[str, Recipient]] = {
            "mp": dict(mps),
            "police_force": {code: a.force for code, a in self.force_areas.items()},
            "police_oversight": {code: a.oversight for code, a in self.force_areas.items()},
        }
        for role, table in (others or {}).items():
            self.by_role.setdefault(role, dict(table))
        self.mps = self.by_role["mp"]

    @classmethod
    def from_csv(cls) -> "Directory":
        """Read the bundled CSVs and every registered role's files."""
        read = cache(rows)  # police_forces.csv feeds two roles and the force areas
        constituencies = [
            Constituency(r["pcon24cd"], r["pcon24nm"], r["country"])
            for r in read("westminster_constituencies_2024.csv")
        ]
        tables = {role.key: _load(role, read) for role in roles.registered()}
        areas = [
            ForceArea(
                r["pfa_code"],
                r["pfa_name"],
                tables["police_force"][r["pfa_code"]],
                tables["police_oversight"][r["pfa_code"]],
            )
            for r in read("police_forces.csv")
        ]
        return cls(constituencies, tables["mp"], areas, _others(tables))

    def with_overrides(
        self, overrides: Mapping[tuple[str, str], Mapping[str, str | None]]
    ) -> "Directory":
        """A copy with staff corrections laid over: ``{(role, code): {"email": .., ...}}``.

        Any role's recipients can be corrected; unknown roles and codes are ignored.
        """
        tables = {role: dict(table) for role, table in self.by_role.items()}
        for (role, code), fields in overrides.items():
            if code in tables.get(role, {}):
                tables[role][code] = replace(tables[role][code], **fields)
        areas = [
            replace(
                area,
                force=tables["police_force"][code],
                oversight=tables["police_oversight"][code],
            )
            for code, area in self.force_areas.items()
        ]
        return Directory(self.constituencies.values(), tables["mp"], areas, _others(tables))

    def recipient(self, role: str, code: str | None) -> Recipient | None:
        """Any registered role's recipient for an area code; None where there is nobody."""
        return self.by_role.get(role, {}).get(code) if code else None

    def constituency(self, code: str) -> Constituency:
        try:
            return self.constituencies[code]
        except KeyError:
            raise UnknownArea(
                "constituency_code", N_("Unknown constituency %(code)r.", code=code)
            ) from None

    def force_area(self, code: str) -> ForceArea:
        try:
            return self.force_areas[code]
        except KeyError:
            raise UnknownArea(
                "pfa_code", N_("Unknown police force area %(code)r.", code=code)
            ) from None

    def area_for(self, place: Place) -> ForceArea | None:
        """The police force area of a place; Northern Ireland's comes as a pseudo code."""
        code = force_area_code(place)
        return self.force_areas.get(code) if code else None

    def place_for(self, constituency_code: str, pfa_code: str) -> Place:
        """A place from codes a supporter chose by hand when the postcode lookup is down.

        The force area may be left out (empty) by a campaign that writes to no police.
        """
        con = self.constituency(constituency_code)
        area = self.force_area(pfa_code) if pfa_code else None
        # Constituencies and police force areas never cross the borders between nations.
        if area is not None and con.code[0] != area.code[0]:
            raise UnknownArea(
                "pfa_code",
                N_(
                    "%(force)s doesn't police %(constituency)s. Choose the force for where you "
                    "live.",
                    force=area.force.name,
                    constituency=con.name,
                ),
            )
        return Place(
            postcode=None,
            country=con.country,
            constituency_code=con.code,
            constituency_name=con.name,
            pfa_code=area.code if area else None,
            pfa_name=None if area is None or area.code == NORTHERN_IRELAND_PFA else area.name,
        )

    def recipients(
        self, place: Place, targets: Iterable[str], fixed: Iterable[Recipient] = ()
    ) -> list[Recipient]:
        """The people a campaign targets at ``place``, in the campaign's order of targets.

        Each target is looked up through its registered role; a role with nobody at the place
        (no MSP in England) or a key nobody registered gives no one, not an error.

        :raise OutsideCoverage: the place has no constituency (Channel Islands, Isle of Man).
        """
        targets = tuple(targets)
        if place == NOWHERE and not targets:
            return list(fixed)  # a campaign to its fixed recipients alone asks no place
        if not place.constituency_code or place.constituency_code not in self.constituencies:
            raise OutsideCoverage(place.country)
        found: list[Recipient] = []
        for key in targets:
            role = roles.get(key)
            recipient = self.recipient(key, role.area_code(place)) if role else None
            if recipient is not None and recipient.name:  # a nameless body: nobody to write to
                found.append(recipient)
        return found + list(fixed)

    def place_values(self, place: Place, language: str = "en") -> dict[str, str]:
        """The place's part of the placeholders staff may use in letters, its force's facts
        (``force.first_seen``...) as a letter reads them; the bodies' names as a letter in
        ``language`` names them ("Heddlu De Cymru" in Welsh)."""
        area = self.area_for(place)
        facts = force_facts().get(force_area_code(place) or "", {})
        oversight = area and (language == "cy" and area.oversight.name_cy or area.oversight.name)
        return {
            "constituency": place.constituency_name or "",
            "country": place.country or "",
            "force_name": area.force.name_in(language) if area else "",
            "oversight_name": oversight or "",  # in English without "the", as it always was
            **{
                f"force.{name}": fact_in_words(name, value, language)
                for name, value in facts.items()
            },
        }

    def place_attributes(self, place: Place) -> dict[str, str]:
        """What campaign conditions may ask of a place: its nation, and its force's facts as
        the data file has them ("" where a fact is blank: it matches nothing)."""
        facts = force_facts().get(force_area_code(place) or "", {})
        nation = (place.country or "").lower().replace(" ", "_")
        return {"nation": nation, **{f"force.{name}": value for name, value in facts.items()}}

    def grouped_constituencies(self) -> dict[str, list[Constituency]]:
        """Constituencies by nation, sorted by name: the manual-choice list."""
        groups: dict[str, list[Constituency]] = {nation: [] for nation in NATIONS}
        for con in sorted(self.constituencies.values(), key=lambda c: c.name.casefold()):
            groups.setdefault(con.country, []).append(con)
        return groups


def _others(tables: Mapping[str, Mapping[str, Recipient]]) -> dict[str, Mapping[str, Recipient]]:
    """The roles a deployment added: the bundled ones travel as ``mps`` and ``force_areas``."""
    return {role: table for role, table in tables.items() if role not in roles.BUNDLED}


@cache
def bundled() -> Directory:
    """The bundled directory, loaded once per process."""
    return Directory.from_csv()

"""Target roles: the kinds of recipient a campaign can name in its targets ("mp", ...).

Each role is declared once, here or by a deployment: its key, the names people see, the data
file(s) it reads, a loader turning rows into ``{area code: Recipient}``, and how a ``Place``
picks its area code. ``Directory`` reads and looks up every registered role the same way, so a
new role (Members of the Scottish Parliament, say) is a data file and a loader, not a rewrite.

The bundled roles are declared at the bottom of this module, their loaders in
``advocacy.places.bundled_roles``; the directory imports this module, never the other way.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from advocacy.letters.recipient import Recipient
from advocacy.places import bundled_roles

if TYPE_CHECKING:
    from advocacy.places.postcodes import Place

Rows = bundled_roles.Rows
Loader = Callable[[Rows], Mapping[str, Recipient]]
AreaOf = Callable[["Place"], "str | None"]


@dataclass(frozen=True)
class Role:
    """One kind of recipient, declared once.

    ``area`` is either the name of a ``Place`` field ("constituency_code") or a function of
    the place. It returns the code the loader keyed its recipients by, or None where the role
    has nobody (an English place has no MSP); a code the loader never returned means nobody
    too, so a role may cover one nation only.
    """

    key: str  # in campaign targets, overrides and tallies: "mp"
    title: str  # heading over the letter on the supporter's page: "Your MP"
    label: str  # short name in the studio: "MP"
    files: tuple[str | Path, ...]  # CSVs: names under advocacy/data, or absolute paths
    load: Loader  # rows of all files, in order -> {area code: Recipient with role == key}
    area: str | AreaOf

    def area_code(self, place: Place) -> str | None:
        """The code this role's recipients are keyed by at ``place``, if it has one."""
        if callable(self.area):
            return self.area(place)
        return getattr(place, self.area)


_REGISTRY: dict[str, Role] = {}
# The bundled roles: the directory needs them for force areas and the studio's pages.
BUNDLED = ("mp", "police_force", "police_oversight")


def register(role: Role, *, replace: bool = False) -> Role:
    """Add a role, in order after those already registered (the studio lists them so).

    Register before the directory is first loaded (``directory.bundled()`` reads once per
    process), e.g. in ``instance/roles.py`` imported by the app's settings.

    :raise ValueError: the key is taken and ``replace`` is false, or the role has no files.
    """
    if not role.files:
        raise ValueError(f"Role {role.key!r} names no data file.")
    if role.key in _REGISTRY and not replace:
        raise ValueError(f"Role {role.key!r} is already registered; pass replace=True.")
    _REGISTRY[role.key] = role
    return role


def unregister(key: str) -> None:
    """Remove a role a deployment or a test added. The bundled roles stay.

    :raise ValueError: ``key`` is a bundled role.
    """
    if key in BUNDLED:
        raise ValueError(f"{key!r} is a bundled role: replace it instead of removing it.")
    _REGISTRY.pop(key, None)


def get(key: str) -> Role | None:
    """The role with this key; None for keys nobody registered ("fixed", typos)."""
    return _REGISTRY.get(key)


def registered() -> tuple[Role, ...]:
    """Every role, in registration order: the bundled ones first."""
    return tuple(_REGISTRY.values())


def keys() -> tuple[str, ...]:
    """Every role key, in registration order: what a campaign's targets may name."""
    return tuple(role.key for role in registered())


# The bundled roles, first in the registry (the studio lists them so).
for _role in (
    Role(
        key="mp",
        title="Your MP",
        label="MP",
        files=("mps_2026-06-27.csv",),
        load=bundled_roles.by_code("pcon24cd", bundled_roles.mp),
        area="constituency_code",
    ),
    Role(
        key="police_force",
        title="Your police force",
        label="Police force",
        files=("police_forces.csv",),
        load=bundled_roles.by_code("pfa_code", bundled_roles.police_force),
        area=bundled_roles.force_area_code,
    ),
    Role(
        key="police_oversight",
        title="The body that oversees your police force",
        label="Oversight body",
        files=("police_forces.csv",),
        load=bundled_roles.by_code("pfa_code", bundled_roles.police_oversight),
        area=bundled_roles.force_area_code,
    ),
):
    register(_role)

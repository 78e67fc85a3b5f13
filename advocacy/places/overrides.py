"""Staff corrections to the bundled directory, stored in the database and laid over the CSVs.

Each worker keeps the corrected directory and rebuilds it only when the overrides table changes
(one small aggregate query at most every CACHE_CHECK_SECONDS), so a correction made in the
studio reaches every worker within seconds, without a restart.
"""

from dataclasses import dataclass

from flask import current_app
from flask import g

from advocacy.letters.recipient import Recipient
from advocacy.places.directory import Directory
from advocacy.places.directory import bundled
from advocacy.platform import models
from advocacy.platform.models import DirectoryOverride
from advocacy.platform.models import db
from advocacy.platform.models import recheck_due

EDITABLE = ("name", "email", "contact_url", "website", "postal_address", "salutation")
EDITABLE += ("salutation_cy",)  # the Welsh, after "Annwyl" (salutations_cy.csv bundles it)
# Also stored, by refresh-mps: who the MP is now, so the next refresh compares with them.
STORED = EDITABLE + ("party", "member_id")
EXTENSION = "advocacy.places.directory"


def layers(rows: list[DirectoryOverride]) -> dict[tuple[str, str], dict]:
    """``Directory.with_overrides`` input: the stored fields, and the row's review state.

    Staff corrections are reviewed; a refresh that found no email is not, so that MP comes up
    for review even when the bundled row was fine.
    """
    out = {}
    for row in rows:
        fields = {k: v for k, v in row.fields.items() if k in STORED}
        fields["needs_review"] = not row.reviewed
        out[(row.role, row.code)] = fields
    return out


def _stamp() -> tuple:
    return tuple(
        db.session.execute(
            db.select(
                db.func.count(DirectoryOverride.id),
                db.func.max(DirectoryOverride.id),
                db.func.max(DirectoryOverride.updated_at),
            )
        ).one()
    )


def current() -> Directory:
    """The bundled directory with today's overrides; cheap when nothing changed."""
    book = g.get("advocacy_directory")  # a request asks several times: one lookup of g each
    if book is not None:
        return book
    cached = current_app.extensions.get(EXTENSION)  # (stamp, directory, checked_at)
    if cached is None or recheck_due(cached[2]):
        stamp = _stamp()
        if cached is None or cached[0] != stamp:
            rows = db.session.execute(db.select(DirectoryOverride)).scalars().all()
            book = bundled().with_overrides(layers(rows)) if rows else bundled()
        else:
            book = cached[1]
        cached = (stamp, book, models.clock())
        current_app.extensions[EXTENSION] = cached
    g.advocacy_directory = cached[1]
    return cached[1]


def checked_at() -> float:
    """When this worker last compared its directory with the database."""
    current()
    return current_app.extensions[EXTENSION][2]


def _changed() -> None:
    """After a save: this worker's next request rebuilds the directory."""
    current_app.extensions.pop(EXTENSION, None)
    g.pop("advocacy_directory", None)


def find(role: str, code: str) -> DirectoryOverride | None:
    return db.session.execute(
        db.select(DirectoryOverride).filter_by(role=role, code=code)
    ).scalar_one_or_none()


def save(
    role: str,
    code: str,
    values: dict[str, str | int | None],
    author: str,
    *,
    source: str = "staff",
    reviewed: bool = True,
) -> DirectoryOverride:
    """Store the fields that differ from the bundled data (staff saving marks it reviewed).

    ``values`` are laid over what was stored before, so a staff correction keeps the member id
    and party an earlier ``refresh-mps`` stored.
    """
    original = bundled_recipient(role, code)
    row = find(role, code) or DirectoryOverride(role=role, code=code)
    merged = {**(row.fields or {}), **values}
    row.fields = {k: v for k, v in merged.items() if k in STORED and getattr(original, k) != v}
    row.reviewed = reviewed
    row.source = source
    row.updated_by = author
    db.session.add(row)
    db.session.commit()
    _changed()
    return row


def revert(role: str, code: str) -> bool:
    row = find(role, code)
    if row is None:
        return False
    db.session.delete(row)
    db.session.commit()
    _changed()
    return True


@dataclass(frozen=True)
class Entry:
    """One row of the studio's directory page."""

    role: str
    code: str
    area: str
    bundled: Recipient
    current: Recipient
    override: DirectoryOverride | None

    @property
    def differs(self) -> list[str]:
        return [k for k in EDITABLE if getattr(self.bundled, k) != getattr(self.current, k)]

    @property
    def review_reason(self) -> str | None:
        """Why the row needs review, so staff know what to check; None once reviewed."""
        if not self.current.needs_review:
            return None
        if self.override is not None:  # stored unreviewed: by refresh-mps, not by staff
            missing = "" if self.current.email else ", with no email address"
            return f"changed by {self.override.source}{missing}: check it"
        return self.current.review_reason or "not checked yet"


def _current_recipient(book: Directory, role: str, code: str) -> Recipient:
    if role == "mp":
        return book.mps[code]
    area = book.force_areas[code]
    return {"police_force": area.force, "police_oversight": area.oversight}[role]


def bundled_recipient(role: str, code: str) -> Recipient:
    """:raise KeyError: no such recipient in the bundled data."""
    return _current_recipient(bundled(), role, code)


def entry(role: str, code: str) -> Entry:
    """One recipient as the studio shows it. :raise KeyError: no such recipient."""
    book = bundled()
    area = book.constituencies[code].name if role == "mp" else book.force_areas[code].name
    return Entry(
        role,
        code,
        area,
        _current_recipient(book, role, code),
        _current_recipient(current(), role, code),
        find(role, code),
    )


def entries() -> list[Entry]:
    """Every bundled recipient, those still needing review first."""
    book = bundled()
    rows = {(r.role, r.code): r for r in db.session.execute(db.select(DirectoryOverride)).scalars()}
    now = current()
    out = [
        Entry(
            role,
            code,
            area,
            _current_recipient(book, role, code),
            _current_recipient(now, role, code),
            rows.get((role, code)),
        )
        for role, code, area in _keys(book)
    ]
    out.sort(key=lambda e: (not e.current.needs_review, e.role != "police_oversight", e.area))
    return out


def _keys(book: Directory):
    for code in book.mps:
        yield "mp", code, book.constituencies[code].name
    for code, area in book.force_areas.items():
        yield "police_force", code, area.name
        yield "police_oversight", code, area.name

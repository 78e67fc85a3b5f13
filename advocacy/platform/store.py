"""Saving campaigns so that no work is lost: every save is a revision, and stale saves are refused.

Two staff members editing one campaign each save against the version they opened. The second
save finds a newer version and raises ``EditConflict`` carrying the other person's version, so
the editor can show both; SQLAlchemy's version counter also refuses a save that races past
that check between read and write.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from advocacy.letters import campaign_json
from advocacy.letters import history
from advocacy.letters.campaigns import Campaign
from advocacy.platform.models import CampaignRevision
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import campaigns_changed
from advocacy.platform.models import db

# Field names as staff see them in the editor, for the "what changed" list.
FIELD_NAMES = {
    "slug": "web address",
    "title": "title",
    "summary_html": "summary",
    "organiser": "organiser",
    "image_url": "sharing image",
    "status": "status",
    "targets": "who to write to",
    "nations": "nations it writes for",
    "fixed_recipients": "fixed recipients",
    "subject_lines": "subject lines",
    "opening": "opening",
    "asks": "asks",
    "place_facts": "place facts",
    "closing": "closing",
    "sign_off": "sign-off",
    "next_ask": "thank-you page text",
    "share_text": "what supporters share",
    "allowed_origins": "sites allowed to embed",
    "prompts": "questions for supporters",
    "translations": "text in other languages",
}


class SlugTaken(ValueError):
    def __init__(self, slug: str) -> None:
        super().__init__(f"Another campaign already uses the address /c/{slug}. Choose another.")


@dataclass
class EditConflict(Exception):
    """Someone else saved first; ``theirs`` is what they saved, ``base`` the document the
    refused edit started from (None when that version is unknown), so the editor can show
    what the other save changed."""

    theirs: Campaign
    version: int
    author: str
    saved_at: datetime | None
    base: dict[str, Any] | None = None


def describe(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """What changed between two campaign documents, in words staff use."""
    if old is None:
        return ["Created"]
    old, new = history.current_form(old), history.current_form(new)
    changes = []
    for key, name in FIELD_NAMES.items():
        if key == "summary_html":
            if history.summary_text(old) != history.summary_text(new):
                changes.append(f"Changed the {name}")
            elif old.get("summary") != new.get("summary"):
                changes.append("Wrote the summary in Markdown")  # the same words, kept so
        elif old.get(key) != new.get(key):
            if key == "status":
                changes.append(f"Status {old.get(key)} → {new.get(key)}")
            else:
                changes.append(f"Changed the {name}")
    changes.extend(_point_changes(old.get("talking_points", []), new.get("talking_points", [])))
    return changes


def _point_changes(old: list[dict], new: list[dict]) -> list[str]:
    before = {p["id"]: p for p in old}
    after = {p["id"]: p for p in new}
    changes = [f"Added talking point “{p['label']}”" for p in new if p["id"] not in before]
    changes += [f"Removed talking point “{p['label']}”" for p in old if p["id"] not in after]
    changes += [
        f"Edited talking point “{p['label']}”"
        for p in new
        if p["id"] in before and before[p["id"]] != p
    ]
    return changes + [text for _, text in history.moves(old, new)]


@contextmanager
def _unique_slug(campaign: Campaign):
    """The only unique column staff can clash on is the slug: say so in their words."""
    try:
        yield
    except IntegrityError:
        db.session.rollback()
        raise SlugTaken(campaign.slug) from None


def create(campaign: Campaign, author: str) -> CampaignRow:
    """A new campaign with its first revision. :raise SlugTaken:"""
    row = CampaignRow()
    row.update_from(campaign)
    db.session.add(row)
    with _unique_slug(campaign):
        db.session.flush()  # the revision needs the row's id
        _add_revision(row, None, campaign.to_dict(), author)
        db.session.commit()
        campaigns_changed()
    return row


def _add_revision(
    row: CampaignRow, old: dict | None, new: dict, author: str, note: str = ""
) -> None:
    db.session.add(
        CampaignRevision(
            campaign_id=row.id,
            version=row.version,
            document=new,
            changes=([note] if note else []) + describe(old, new),
            author=author,
        )
    )


def latest_revision(row: CampaignRow) -> CampaignRevision | None:
    return db.session.execute(
        db.select(CampaignRevision)
        .filter_by(campaign_id=row.id)
        .order_by(CampaignRevision.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def _conflict(row: CampaignRow, base_version: int) -> EditConflict:
    db.session.rollback()
    db.session.refresh(row)
    last = latest_revision(row)
    base = db.session.execute(
        db.select(CampaignRevision).filter_by(campaign_id=row.id, version=base_version)
    ).scalar_one_or_none()
    return EditConflict(
        theirs=row.to_campaign(),
        version=row.version,
        author=last.author if last else "",
        saved_at=last.created_at if last else None,
        base=base.document if base else None,
    )


def save(
    row: CampaignRow, campaign: Campaign, author: str, base_version: int, note: str = ""
) -> bool:
    """Save an edit made to ``base_version``; False when nothing changed.

    :raise EditConflict: the campaign was saved by someone else since ``base_version``.
    :raise SlugTaken:
    """
    if row.version != base_version:
        raise _conflict(row, base_version)
    old = row.to_campaign().to_dict()
    new = campaign.to_dict()
    if old == new:
        return False
    row.update_from(campaign)
    with _unique_slug(campaign):
        try:
            db.session.flush()
        except StaleDataError:
            raise _conflict(row, base_version) from None
        _add_revision(row, old, new, author, note)
        db.session.commit()
        campaigns_changed()
    return True


def restorable(row: CampaignRow, revision: CampaignRevision) -> Campaign:
    """An old revision's words, keeping today's address and status.

    Restoring brings back text; it never publishes, unpublishes or moves a campaign. Status and
    address stay as they are now and can be changed in the editor like anything else.

    :raise campaigns.InvalidCampaign: e.g. a live campaign and a revision without talking points.
    """
    return campaign_json.from_dict({**revision.document, "slug": row.slug, "status": row.status})

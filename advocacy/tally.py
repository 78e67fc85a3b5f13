"""Aggregate counts of what supporters do, per campaign, day, event, channel and partner ref.

A count is one upsert that adds 1 to a row, so concurrent workers never lose one and no row is
ever about a person. Counting must never cost a supporter their letter: a database error here is
logged and swallowed.
"""

import logging
import re
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import SQLAlchemyError

from advocacy.models import CampaignRow
from advocacy.models import Tally
from advocacy.models import db

log = logging.getLogger(__name__)

EVENTS = ("letters", "sent")  # letters drafted; "I've sent my letters" pressed
CHANNELS = ("page", "embed", "api")
# A partner's ref is a short label of their choosing; anything else is dropped, not stored.
_REF = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def clean_ref(value: object) -> str:
    """The ref if it is a valid label, else ``""`` (no ref)."""
    return value if isinstance(value, str) and _REF.match(value) else ""


def count(slug: str, event: str, *, channel: str, ref: str = "") -> None:
    """Add one to today's count of ``event`` for the campaign ``slug``."""
    assert event in EVENTS and channel in CHANNELS, (event, channel)
    try:
        campaign_id = db.session.scalar(db.select(CampaignRow.id).filter_by(slug=slug))
        if campaign_id is None:
            return
        insert = _INSERTS[db.engine.dialect.name](Tally).values(
            campaign_id=campaign_id,
            day=datetime.now(UTC).date(),
            event=event,
            channel=channel,
            ref=clean_ref(ref),
            total=1,
        )
        db.session.execute(
            insert.on_conflict_do_update(
                index_elements=["campaign_id", "day", "event", "channel", "ref"],
                set_={"total": Tally.total + 1},
            )
        )
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("could not count %s for a campaign", event)


@dataclass(frozen=True)
class RefTotals:
    ref: str  # "" for supporters who came without one
    letters: int
    sent: int


def by_ref(campaign_id: int) -> list[RefTotals]:
    """All-time totals per partner ref for one campaign, busiest first."""
    rows = db.session.execute(
        db.select(Tally.ref, Tally.event, db.func.sum(Tally.total))
        .where(Tally.campaign_id == campaign_id)
        .group_by(Tally.ref, Tally.event)
    )
    totals: dict[str, dict[str, int]] = {}
    for ref, event, total in rows:
        totals.setdefault(ref, dict.fromkeys(EVENTS, 0))[event] = int(total)
    out = [RefTotals(ref, t["letters"], t["sent"]) for ref, t in totals.items()]
    return sorted(out, key=lambda t: (-t.letters, -t.sent, t.ref))

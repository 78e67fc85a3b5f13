"""Aggregate counts of what supporters do, per campaign, day, event, channel and partner ref.

Each worker adds counts up in memory and writes them every ``TALLY_FLUSH_SECONDS`` (and when it
exits) as one upsert per row, so a surge doesn't queue on database writes and concurrent workers
never lose a count; no row is ever about a person. Letters are also counted per recipient (a role
and a code: constituency, police force area, or a fixed recipient's key), and so are the replies
supporters tell us of, in the same batches. A worker killed outright loses at most its last few
seconds of counts. Counting must never cost a supporter their letter: a database error
here is logged and swallowed, and the counts wait for the next write.
"""

import atexit
import logging
import re
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime

from flask import Flask
from flask import current_app
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DataError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import SQLAlchemyError

from advocacy.platform import logs
from advocacy.platform import models
from advocacy.platform import postcode_shape
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import PublicCounter
from advocacy.platform.models import RecipientTally
from advocacy.platform.models import Tally
from advocacy.platform.models import db

log = logging.getLogger(__name__)

EVENTS = ("letters", "sent")  # letters drafted; "I've sent my letters" pressed
CHANNELS = ("page", "embed", "api")
# Per recipient: letters drafted to them; a supporter said they replied, or said they didn't.
RECIPIENT_EVENTS = ("letters", "replied", "no_reply")
RECIPIENT_ROLES = ("mp", "police_force", "police_oversight", "fixed")
# A recipient's code: an ONS code, or a fixed recipient's key (a slug of their name).
_CODE = re.compile(r"[A-Za-z0-9-]{1,60}")
# A partner's ref is a short label of their choosing; anything else is dropped, not stored.
_REF = re.compile(r"[A-Za-z0-9_.-]{1,40}")
# Counted under this once a campaign has MAX_REFS_PER_DAY labels on one day, so nobody can grow
# the table by inventing labels. Not a valid label itself, so no partner can take it.
OTHER_REF = "~other"
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
EXTENSION = "advocacy.platform.tally"


def clean_ref(value: object) -> str:
    """The ref if it is a valid label, else ``""`` (no ref)."""
    if not isinstance(value, str) or not _REF.fullmatch(value) or _holds_postcode(value):
        return ""
    return value


def _holds_postcode(label: str) -> bool:
    """Whether a label is or holds a postcode, however spaced, cased or separated: labels are
    stored with their day, so a supporter's postcode passed as ``?ref=`` must never become one.
    The lookup's normaliser decides what would be looked up as a postcode (``SE1ODL`` too), the
    log scrubber's pattern finds one inside a longer label."""
    whole = postcode_shape.normalise(label)
    return postcode_shape.is_valid(whole) or logs.POSTCODE.search(label) is not None


Key = tuple[str, date, str, str, str]  # slug, day, event, channel, ref
RecipientKey = tuple[str, date, str, str, str]  # slug, day, event, role, code


@dataclass
class _Pending:
    """This worker's counts not yet written."""

    counts: Counter[Key] = field(default_factory=Counter)
    recipients: Counter[RecipientKey] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    written_at: float = field(default_factory=time.monotonic)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = _Pending()
    app_ref = weakref.ref(app)  # the exit hook must not keep a finished app alive

    def write_at_exit() -> None:
        if (live := app_ref()) is not None:
            with live.app_context():
                flush()

    atexit.register(write_at_exit)


def count(
    slug: str,
    event: str,
    *,
    channel: str,
    ref: str = "",
    recipients: Iterable[tuple[str, str]] = (),
) -> None:
    """Add one to today's count of ``event`` for the campaign ``slug``, and one to each
    recipient's count of it (``(role, code)`` pairs: letters drafted to them)."""
    assert event in EVENTS and channel in CHANNELS, (event, channel)
    day = datetime.now(UTC).date()
    per_recipient = _recipient_keys(slug, day, event, recipients) if recipients else []
    ref = ref if ref == OTHER_REF else clean_ref(ref)  # "other": a client over its new labels
    _add([(slug, day, event, channel, ref)], per_recipient)


def count_reply(slug: str, role: str, code: str, *, replied: bool) -> None:
    """Add one to today's count of supporters saying the recipient replied (or didn't)."""
    event = "replied" if replied else "no_reply"
    _add([], _recipient_keys(slug, datetime.now(UTC).date(), event, [(role, code)]))


def _recipient_keys(
    slug: str, day: date, event: str, recipients: Iterable[tuple[str, str]]
) -> list[RecipientKey]:
    """Keys for the recipients; one that isn't a plain role and code is not counted."""
    assert event in RECIPIENT_EVENTS, event
    return [
        (slug, day, event, role, code)
        for role, code in recipients
        if role in RECIPIENT_ROLES and isinstance(code, str) and _CODE.fullmatch(code)
    ]


def _add(keys: list[Key], recipient_keys: list[RecipientKey]) -> None:
    app = current_app._get_current_object()  # the proxy costs a lookup per use
    pending: _Pending = app.extensions[EXTENSION]
    with pending.lock:  # flush swaps the counters under it: read them inside
        counts, recipients = pending.counts, pending.recipients
        for key in keys:  # a key at a time: Counter.update's checks cost more than the count
            counts[key] += 1
        for recipient_key in recipient_keys:
            recipients[recipient_key] += 1
        due = time.monotonic() - pending.written_at >= app.config["TALLY_FLUSH_SECONDS"]
    if due:
        flush()


def flush() -> None:
    """Write this worker's pending counts: one upsert per row, one transaction.

    When the transaction fails, each row is tried on its own: a row the database refuses
    (bad data) is logged without its values and dropped, so it can't block every later write;
    rows that fail because the database is away wait for the next write.
    """
    pending: _Pending = current_app.extensions[EXTENSION]
    with pending.lock:
        counts, pending.counts = pending.counts, Counter()
        by_recipient, pending.recipients = pending.recipients, Counter()
        pending.written_at = time.monotonic()
    if not counts and not by_recipient:
        return
    try:
        for _, values, n in _rows(counts):
            _upsert(values, n)
        for _, values, n in _recipient_rows(by_recipient):
            _upsert_recipient(values, n)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        total = sum(counts.values()) + sum(by_recipient.values())
        log.warning("could not write %d counts at once; trying each", total)
        _flush_each(pending, counts)
        _flush_each_recipient(pending, by_recipient)


def _ids(slugs: set[str]) -> dict[str, int]:
    if not slugs:
        return {}
    return dict(
        db.session.execute(
            db.select(CampaignRow.slug, CampaignRow.id).where(CampaignRow.slug.in_(slugs))
        ).all()
    )


def _rows(counts: Counter[Key]) -> list[tuple[str, dict, int]]:
    """Table rows for the pending counts; labels past a campaign's daily limit become "other"."""
    ids = _ids({key[0] for key in counts})
    limit = int(current_app.config["MAX_REFS_PER_DAY"])
    known: dict[tuple[int, date], set[str]] = {}
    merged: Counter[tuple[str, int, date, str, str, str]] = Counter()
    for (slug, day, event, channel, ref), n in counts.items():
        if slug not in ids:
            continue  # a campaign deleted or renamed since: nobody to count for
        refs = known.get((ids[slug], day))
        if refs is None:
            refs = known[(ids[slug], day)] = set(
                db.session.scalars(
                    db.select(Tally.ref)
                    .distinct()
                    .where(Tally.campaign_id == ids[slug], Tally.day == day)
                )
            )
        if ref and ref not in refs:
            if len(refs - {"", OTHER_REF}) >= limit:
                ref = OTHER_REF
            refs.add(ref)
        merged[(slug, ids[slug], day, event, channel, ref)] += n
    names = ("campaign_id", "day", "event", "channel", "ref")
    return [(key[0], dict(zip(names, key[1:], strict=True)), n) for key, n in merged.items()]


RECIPIENT_COLUMNS = ("campaign_id", "day", "event", "role", "code")


def _recipient_rows(counts: Counter[RecipientKey]) -> list[tuple[str, dict, int]]:
    """Table rows for the pending per-recipient counts. Codes come from the directory or the
    campaign (checked before counting), so there is no label to cap."""
    ids = _ids({key[0] for key in counts})
    return [
        (slug, dict(zip(RECIPIENT_COLUMNS, (ids[slug], *rest), strict=True)), n)
        for (slug, *rest), n in counts.items()
        if slug in ids  # a campaign deleted or renamed since: nobody to count for
    ]


def _upsert_into(model, values: dict, n: int) -> None:
    insert = _INSERTS[db.engine.dialect.name]
    db.session.execute(
        insert(model)
        .values(**values, total=n)
        .on_conflict_do_update(index_elements=list(values), set_={"total": model.total + n})
    )


def _upsert(values: dict, n: int) -> None:
    _upsert_into(Tally, values, n)


def _upsert_recipient(values: dict, n: int) -> None:
    _upsert_into(RecipientTally, values, n)


def _flush_each(pending: _Pending, counts: Counter[Key]) -> None:
    _write_each(pending, counts, _rows, _upsert, "counts", ("day", "event", "channel", "ref"))


def _flush_each_recipient(pending: _Pending, counts: Counter[RecipientKey]) -> None:
    _write_each(
        pending, counts, _recipient_rows, _upsert_recipient, "recipients", RECIPIENT_COLUMNS[1:]
    )


def _write_each(pending: _Pending, counts: Counter, rows_for, upsert, kept: str, names) -> None:
    """Each row in its own transaction; ``kept`` names the pending counter that keeps the rows
    to try again, and ``names`` the columns that rebuild their keys."""
    if not counts:
        return
    try:
        rows = rows_for(counts)
    except SQLAlchemyError:
        db.session.rollback()
        with pending.lock:
            getattr(pending, kept).update(counts)  # the database is away: try again later
        log.exception("could not write %d counts", sum(counts.values()))
        return
    for slug, values, n in rows:
        try:
            upsert(values, n)
            db.session.commit()
        except (DataError, IntegrityError):
            db.session.rollback()
            # The values may be what is wrong; they are not logged (they came from a request).
            log.error("dropped a count of %d the database refused", n)
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("could not write %d counts; keeping them for the next write", n)
            with pending.lock:
                getattr(pending, kept)[(slug, *(values[name] for name in names))] += n


@dataclass(frozen=True)
class RefTotals:
    ref: str  # "" for supporters who came without one
    letters: int
    sent: int


def by_ref(campaign_id: int, start: date | None = None, end: date | None = None) -> list[RefTotals]:
    """Totals per partner ref for one campaign, busiest first, all time or from ``start`` to
    ``end`` (this worker's pending counts included; other workers' arrive within
    TALLY_FLUSH_SECONDS)."""
    flush()
    where = [Tally.campaign_id == campaign_id]
    where += [Tally.day >= start] if start else []
    where += [Tally.day <= end] if end else []
    rows = db.session.execute(
        db.select(Tally.ref, Tally.event, db.func.sum(Tally.total))
        .where(*where)
        .group_by(Tally.ref, Tally.event)
    )
    totals: dict[str, dict[str, int]] = {}
    for ref, event, total in rows:
        totals.setdefault(ref, dict.fromkeys(EVENTS, 0))[event] = int(total)
    out = [RefTotals(ref, t["letters"], t["sent"]) for ref, t in totals.items()]
    return sorted(out, key=lambda t: (-t.letters, -t.sent, t.ref))


# --- The public counter ----------------------------------------------------------------------

COUNTER = "advocacy.public_counter"  # app.extensions key: {slug: (letters, read at)}


def public_count(slug: str) -> int | None:
    """Letters written so far for the campaign page, when staff chose to show them (else None).

    Cached per worker for ``PUBLIC_COUNTER_SECONDS``: a surge on the campaign page costs one
    small query a minute, and the figure is at most that much (plus the tally's own batching)
    behind.
    """
    cache = current_app.extensions.setdefault(COUNTER, {})
    hit = cache.get(slug)  # (value, read_at)
    now = models.clock()
    if hit is not None and now - hit[1] < float(current_app.config["PUBLIC_COUNTER_SECONDS"]):
        return hit[0]
    total = db.session.scalar(
        db.select(db.func.sum(Tally.total))
        .join(CampaignRow, CampaignRow.id == Tally.campaign_id)
        .join(PublicCounter, PublicCounter.campaign_id == CampaignRow.id)
        .where(CampaignRow.slug == slug, PublicCounter.shown.is_(True), Tally.event == "letters")
    )
    value = int(total) if total else None
    cache[slug] = (value, now)
    return value


def forget_public_count(slug: str) -> None:
    """Staff turned the counter on or off: this worker reads the count afresh."""
    current_app.extensions.get(COUNTER, {}).pop(slug, None)

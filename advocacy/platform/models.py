"""Database models: campaigns (with their revisions), staff accounts and directory overrides.

Campaign rows convert to and from ``campaigns.Campaign``, the one validated form of a campaign,
so the rest of the app never handles ORM objects. Nothing about supporters is stored here.
"""

import secrets
import sqlite3
import time
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import UniqueConstraint
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from werkzeug.routing import IntegerConverter
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from advocacy.letters import campaign_json
from advocacy.letters import campaigns
from advocacy.platform.columns import String
from advocacy.platform.columns import Text


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
MAX_ID = 2**31 - 1  # the largest integer key or version (PostgreSQL's INTEGER)


class IdConverter(IntegerConverter):
    """``<id:campaign_id>`` in a route: an integer a key can be, so a longer one is a 404,
    not an ``OverflowError`` from the database driver and a 500."""

    def __init__(self, map, **kwargs) -> None:
        super().__init__(map, min=0, max=MAX_ID, **kwargs)


@event.listens_for(Engine, "connect")
def _sqlite_settings(dbapi_connection, connection_record) -> None:
    """SQLite in write-ahead-log mode: readers never wait for the writer, and a commit (every
    letter adds to a count) is an append without an fsync; a power cut may lose the last few
    counts, never corrupt the file. Waits up to 5 s for the write lock rather than failing."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def _now() -> datetime:
    return datetime.now(UTC)


class CampaignRow(db.Model):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")  # Markdown; "" before Markdown
    summary_html: Mapped[str] = mapped_column(Text, default="")
    organiser: Mapped[str] = mapped_column(String(120), default="")
    image_url: Mapped[str] = mapped_column(Text, default="")  # for link previews only
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    targets: Mapped[list] = mapped_column(JSON, default=list)
    fixed_recipients: Mapped[list] = mapped_column(JSON, default=list)
    subject_lines: Mapped[list] = mapped_column(JSON, default=list)
    opening: Mapped[str] = mapped_column(Text, default="")
    asks: Mapped[dict] = mapped_column(JSON, default=dict)
    closing: Mapped[str] = mapped_column(Text, default="")
    sign_off: Mapped[str] = mapped_column(Text, default="")
    next_ask: Mapped[str] = mapped_column(Text, default="")
    share_text: Mapped[str] = mapped_column(Text, default="")
    nations: Mapped[list] = mapped_column(JSON, default=list)
    # /2's nation variants: read on load (as conditions), emptied by the next save.
    variants: Mapped[dict] = mapped_column(JSON, default=dict)
    # The opening and closing when they are alternatives (the text columns hold the default).
    chosen_texts: Mapped[dict] = mapped_column(JSON, default=dict)
    place_facts: Mapped[dict] = mapped_column(JSON, default=dict)
    # The campaign's text in other languages, as its document holds it ({"cy": {...}}).
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    allowed_origins: Mapped[list] = mapped_column(JSON, default=list)
    # Optimistic concurrency: SQLAlchemy bumps this on each UPDATE and refuses a stale one.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now
    )

    talking_points: Mapped[list["TalkingPointRow"]] = relationship(
        order_by="TalkingPointRow.position", cascade="all, delete-orphan", lazy="selectin"
    )
    prompts: Mapped[list["PromptRow"]] = relationship(
        order_by="PromptRow.position", cascade="all, delete-orphan", lazy="selectin"
    )
    revisions: Mapped[list["CampaignRevision"]] = relationship(
        order_by="CampaignRevision.version.desc()",
        cascade="all, delete-orphan",
        lazy="select",
        back_populates="campaign",
    )

    __mapper_args__ = {"version_id_col": version}

    def to_campaign(self) -> campaigns.Campaign:
        """The row as a campaign document."""
        data = {
            name: getattr(self, name)
            for name in (
                "slug",
                "title",
                "summary",
                "summary_html",
                "organiser",
                "image_url",
                "status",
                "targets",
                "fixed_recipients",
                "subject_lines",
                "opening",
                "asks",
                "closing",
                "sign_off",
                "next_ask",
                "share_text",
                "allowed_origins",
                "nations",
                "variants",
                "place_facts",
                "translations",
            )
        }
        data.update(self.chosen_texts or {})
        data["talking_points"] = [p.to_dict() for p in self.talking_points]
        data["prompts"] = [p.to_dict() for p in self.prompts]
        # Cleaned and checked when it was saved.
        return campaign_json.from_dict(data, clean=False, check=False)

    def update_from(self, campaign: campaigns.Campaign) -> None:
        """Copy a validated campaign document into this row and its children."""
        # Texts a document leaves out when empty are emptied here too, or clearing one would
        # keep the old text in the row.
        data = {**dict.fromkeys(campaigns.OMITTED_WHEN_EMPTY, ""), **campaign.to_dict()}
        # Always an UPDATE, so the version moves even when only talking points changed:
        # cached campaigns (see _by_slug) are keyed by it.
        self.updated_at = _now()
        data["place_facts"] = data.get("place_facts") or {}
        data["translations"] = data.get("translations") or {}
        data["variants"] = {}  # a /2 row's variants are conditions in the document now
        data["chosen_texts"] = {}
        for name in ("opening", "closing"):
            if not isinstance(data[name], str):
                data["chosen_texts"][name] = data[name]
                data[name] = campaigns.default_text(getattr(campaign, name))
        for name, value in data.items():
            if name not in ("format", "talking_points", "prompts"):
                setattr(self, name, value)
        self.talking_points = [
            TalkingPointRow(
                position=i, key=p.pop("id"), condition=p.pop("when", {}), nations=[], **p
            )
            for i, p in enumerate(data["talking_points"])
        ]
        self.prompts = [
            PromptRow(position=i, key=p.pop("id"), **p) for i, p in enumerate(data["prompts"])
        ]


class TalkingPointRow(db.Model):
    __tablename__ = "talking_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(Text)
    phrasings: Mapped[list] = mapped_column(JSON, default=list)
    source_url: Mapped[str | None] = mapped_column(Text)
    default_selected: Mapped[bool] = mapped_column(default=False)
    nations: Mapped[list] = mapped_column(JSON, default=list)  # /2: read as condition
    condition: Mapped[dict] = mapped_column(JSON, default=dict)

    def to_dict(self) -> dict:
        data = {
            "id": self.key,
            "label": self.label,
            "phrasings": list(self.phrasings),
            "source_url": self.source_url,
            "default_selected": self.default_selected,
            "nations": list(self.nations or ()),
        }
        if self.condition:
            data["when"] = dict(self.condition)
        return data


class PromptRow(db.Model):
    __tablename__ = "prompt"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(Text, default="")
    lead_in: Mapped[str] = mapped_column(Text, default="")

    def to_dict(self) -> dict:
        return {"id": self.key, "label": self.label, "hint": self.hint, "lead_in": self.lead_in}


class CampaignRevision(db.Model):
    """A campaign as it was saved: who, when, what changed, and the whole document."""

    __tablename__ = "campaign_revision"
    __table_args__ = (UniqueConstraint("campaign_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    version: Mapped[int]
    document: Mapped[dict] = mapped_column(JSON)
    changes: Mapped[list] = mapped_column(JSON, default=list)
    # A copy of the email, so history survives an account being removed.
    author: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    campaign: Mapped[CampaignRow] = relationship(back_populates="revisions")


ROLES = ("admin", "editor")


def _token() -> str:
    return secrets.token_urlsafe(24)


class StaffUser(UserMixin, db.Model):
    """A member of campaign staff. Passwords are stored as scrypt hashes (Werkzeug)."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), default="editor")
    active: Mapped[bool] = mapped_column(default=True)
    # What the session cookie holds instead of the id: changing the password or deactivating
    # the account replaces it, which signs out every other session at once.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=_token)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the password was last set: a one-time password expires this long after it was made.
    # None (accounts from before this column) counts as long ago.
    password_set_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def get_id(self) -> str:
        return self.session_token

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.password_set_at = _now()
        self.sign_out_everywhere()

    @property
    def one_time_password_expired(self) -> bool:
        """Unused after ``ONE_TIME_PASSWORD_HOURS``: it may have leaked since it was handed over."""
        if not self.must_change_password:
            return False
        if self.password_set_at is None:
            return True
        set_at = self.password_set_at
        if set_at.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
            set_at = set_at.replace(tzinfo=UTC)
        hours = current_app.config["ONE_TIME_PASSWORD_HOURS"]
        return _now() - set_at >= timedelta(hours=hours)

    def sign_out_everywhere(self) -> None:
        self.session_token = _token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class DirectoryOverride(db.Model):
    """Staff corrections to one bundled recipient; laid over the CSVs when letters are made."""

    __tablename__ = "directory_override"
    __table_args__ = (UniqueConstraint("role", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(12))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    reviewed: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(String(20), default="staff")
    updated_by: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now
    )


class Tally(db.Model):
    """An aggregate count: how many times an event happened for a campaign on a day.

    Only the campaign, the day, the event, how the supporter came (page, embed or API) and the
    partner's ``ref`` are kept: nothing that could tell one supporter from another.
    """

    __tablename__ = "tally"
    __table_args__ = (UniqueConstraint("campaign_id", "day", "event", "channel", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    event: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    ref: Mapped[str] = mapped_column(String(40), default="")
    total: Mapped[int] = mapped_column(default=0)


class RecipientTally(db.Model):
    """An aggregate count per recipient: letters drafted to them, and replies supporters told us
    of, per campaign and day.

    A recipient is a role and a code: the constituency for an MP, the police force area for a
    force or its oversight body, a slug of the name for a campaign's fixed recipient. Nothing
    about the supporter who wrote is kept.
    """

    __tablename__ = "recipient_tally"
    __table_args__ = (UniqueConstraint("campaign_id", "day", "event", "role", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    event: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(60))
    total: Mapped[int] = mapped_column(default=0)


class PublicCounter(db.Model):
    """Whether a campaign's page shows "N letters written so far" (set on its results page, so
    switching it on is no campaign edit and makes no revision)."""

    __tablename__ = "public_counter"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    shown: Mapped[bool] = mapped_column(default=False)
    updated_by: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now
    )


CAMPAIGNS = "advocacy.letters.campaigns"
LIVE_ORIGINS = "advocacy.live_origins"


def recheck_due(checked_at: float | None) -> bool:
    """Whether a worker's cached copy of stored data should be compared with the database again.

    At most every ``CACHE_CHECK_SECONDS``: under a surge most requests then touch no database
    at all, while a change made on another worker shows within that time (this worker's own
    saves drop its caches at once).
    """
    return checked_at is None or clock() - checked_at >= current_app.config["CACHE_CHECK_SECONDS"]


clock = time.monotonic  # tests move time on by replacing it


def _by_slug(slug: str) -> campaigns.Campaign | None:
    """The campaign at ``slug``, parsed once per version in each app (worker).

    When a check is due it costs one small indexed query; the campaign is loaded and parsed
    again only when its version, time or status moved (any save moves the first two; the
    status is in the key so that even a hand-run SQL ``UPDATE`` of it counts).
    """
    cache = current_app.extensions.setdefault(CAMPAIGNS, {})
    entry = cache.get(slug)  # (key, campaign, checked_at)
    if entry is not None and not recheck_due(entry[2]):
        return entry[1]
    head = db.session.execute(
        db.select(
            CampaignRow.id, CampaignRow.version, CampaignRow.status, CampaignRow.updated_at
        ).filter_by(slug=slug)
    ).first()
    if head is None:
        cache.pop(slug, None)
        return None
    key = tuple(head)
    campaign = entry[1] if entry is not None and entry[0] == key else None
    if campaign is None:
        campaign = db.session.get(CampaignRow, head.id).to_campaign()
    cache[slug] = (key, campaign, clock())
    return campaign


def checked_at(slug: str) -> float:
    """When this worker last compared its copy of the campaign with the database."""
    entry = current_app.extensions.get(CAMPAIGNS, {}).get(slug)
    return entry[2] if entry is not None else clock()


def campaigns_changed() -> None:
    """Drop this worker's parsed campaigns after a save, so its next request sees the save."""
    current_app.extensions.pop(CAMPAIGNS, None)
    current_app.extensions.pop(LIVE_ORIGINS, None)


def live_origins() -> frozenset[str]:
    """The sites any live campaign allows (CORS on API routes of no campaign), kept per worker.

    Compared with the database like the campaigns (at most every ``CACHE_CHECK_SECONDS``, at
    once after this worker's saves), and then it reads one column: no campaign is loaded or
    parsed, however many are live.
    """
    entry = current_app.extensions.get(LIVE_ORIGINS)  # (origins, checked_at)
    if entry is not None and not recheck_due(entry[1]):
        return entry[0]
    lists = db.session.execute(
        db.select(CampaignRow.allowed_origins).filter_by(status="live")
    ).scalars()
    origins = frozenset(origin for origins in lists for origin in origins or ())
    current_app.extensions[LIVE_ORIGINS] = (origins, clock())
    return origins


def public_campaign(slug: str) -> campaigns.Campaign | None:
    """A live or closed campaign (closed ones explain themselves); drafts are not found."""
    campaign = _by_slug(slug)
    return campaign if campaign and campaign.status != "draft" else None


def live_campaign(slug: str) -> campaigns.Campaign | None:
    """A campaign supporters may use now; drafts and closed campaigns are not found."""
    campaign = _by_slug(slug)
    return campaign if campaign and campaign.status == "live" else None


def live_campaigns() -> list[campaigns.Campaign]:
    rows = db.session.execute(
        db.select(CampaignRow).filter_by(status="live").order_by(CampaignRow.title)
    ).scalars()
    return [row.to_campaign() for row in rows]

"""Database models: campaigns with their talking points and prompts.

Rows convert to and from ``campaigns.Campaign``, the one validated form of a campaign, so the
rest of the app never handles ORM objects. Nothing about supporters is stored here.
"""

from datetime import UTC
from datetime import datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from advocacy import campaigns


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


def _now() -> datetime:
    return datetime.now(UTC)


class CampaignRow(db.Model):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    targets: Mapped[list] = mapped_column(JSON, default=list)
    fixed_recipients: Mapped[list] = mapped_column(JSON, default=list)
    subject_lines: Mapped[list] = mapped_column(JSON, default=list)
    opening: Mapped[str] = mapped_column(Text, default="")
    asks: Mapped[dict] = mapped_column(JSON, default=dict)
    closing: Mapped[str] = mapped_column(Text, default="")
    sign_off: Mapped[str] = mapped_column(Text, default="")
    next_ask: Mapped[str] = mapped_column(Text, default="")
    allowed_origins: Mapped[list] = mapped_column(JSON, default=list)
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

    def to_campaign(self) -> campaigns.Campaign:
        """The row as a campaign document."""
        data = {
            name: getattr(self, name)
            for name in (
                "slug",
                "title",
                "summary_html",
                "status",
                "targets",
                "fixed_recipients",
                "subject_lines",
                "opening",
                "asks",
                "closing",
                "sign_off",
                "next_ask",
                "allowed_origins",
            )
        }
        data["talking_points"] = [p.to_dict() for p in self.talking_points]
        data["prompts"] = [p.to_dict() for p in self.prompts]
        return campaigns.from_dict(data, clean=False)  # cleaned when it was saved

    def update_from(self, campaign: campaigns.Campaign) -> None:
        """Copy a validated campaign document into this row and its children."""
        data = campaign.to_dict()
        for name, value in data.items():
            if name not in ("format", "talking_points", "prompts"):
                setattr(self, name, value)
        self.talking_points = [
            TalkingPointRow(position=i, key=p.pop("id"), **p)
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

    def to_dict(self) -> dict:
        return {
            "id": self.key,
            "label": self.label,
            "phrasings": list(self.phrasings),
            "source_url": self.source_url,
            "default_selected": self.default_selected,
        }


class PromptRow(db.Model):
    __tablename__ = "prompt"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(Text, default="")

    def to_dict(self) -> dict:
        return {"id": self.key, "label": self.label, "hint": self.hint}


def public_campaign(slug: str) -> campaigns.Campaign | None:
    """A live or closed campaign (closed ones explain themselves); drafts are not found."""
    row = db.session.execute(
        db.select(CampaignRow).where(CampaignRow.slug == slug, CampaignRow.status != "draft")
    ).scalar_one_or_none()
    return row.to_campaign() if row else None


def live_campaign(slug: str) -> campaigns.Campaign | None:
    """A campaign supporters may use now; drafts and closed campaigns are not found."""
    row = db.session.execute(
        db.select(CampaignRow).filter_by(slug=slug, status="live")
    ).scalar_one_or_none()
    return row.to_campaign() if row else None


def live_campaigns() -> list[campaigns.Campaign]:
    rows = db.session.execute(
        db.select(CampaignRow).filter_by(status="live").order_by(CampaignRow.title)
    ).scalars()
    return [row.to_campaign() for row in rows]


def add_campaign(campaign: campaigns.Campaign) -> CampaignRow:
    row = CampaignRow()
    row.update_from(campaign)
    db.session.add(row)
    db.session.commit()
    return row
